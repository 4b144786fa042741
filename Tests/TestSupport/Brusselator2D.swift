import Autodiff

/// The 2-D Brusselator with diffusion on the unit square, N × N periodic grid, by the method of
/// lines (Hairer and Wanner, Solving ODEs II, §IV.10; SciML's `brusselator_2d` benchmark):
///
///     u′ = 1 + u²v − 4.4u + α∇²u + f(x, y, t),   v′ = 3.4u − u²v + α∇²v,
///
/// α = 10/Δx² with Δx = 1/(N − 1), ∇² the 5-point stencil with periodic wrap-around, the forcing
/// f = 5 on the disc (x − 0.3)² + (y − 0.6)² ≤ 0.1² once t ≥ 1.1, and u₀ = 22 (y(1 − y))^{3/2},
/// v₀ = 27 (x(1 − x))^{3/2} (SciML's `init_brusselator_2d`), on (0, 11.5).
///
/// The state is u's grid then v's, each with cell (i, j) (x = i Δx, y = j Δx) at i + N j. It is
/// written with whole-grid gathers so the traced graph stays small at any N, and Autodiff reads
/// the 5-point stencil's pattern off it.
public enum Brusselator2D {
    /// (A, B, α, Δx): SciML's parameters.
    public static func parameters(_ N: Int) -> [Double] { [3.4, 1, 10, 1 / Double(N - 1)] }
    public static let tspan = (0.0, 11.5)
    /// The forcing switches on here: a discontinuity in t to step to.
    public static let forcingStart = 1.1

    /// The grid coordinate of index i.
    static func coordinate(_ i: Int, _ N: Int) -> Double { Double(i) / Double(N - 1) }

    /// The right-hand side (u, p, t) -> du as a graph, with p = `parameters(N)`.
    public static func graph(_ N: Int) throws -> Graph {
        let m = N * N
        // Each state's four neighbours, wrapping around, in both grids at once.
        func neighbour(_ di: Int, _ dj: Int) -> [Int] {
            (0..<(2 * m)).map { q in
                let block = q / m, r = q % m, i = r % N, j = r / N
                return block * m + (i + di + N) % N + N * ((j + dj + N) % N)
            }
        }
        let disc = (0..<m).map { r -> Double in
            let x = coordinate(r % N, N), y = coordinate(r / N, N)
            return (x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6) <= 0.1 * 0.1 ? 5 : 0
        }
        return try trace(.vector(2 * m), .vector(4)) { s, p, t in
            let b = s.builder
            let neighbours = [neighbour(-1, 0), neighbour(1, 0), neighbour(0, -1), neighbour(0, 1)]
                .map { Sym(b, b.gather(s.id, $0, shape: .vector(2 * m))) }
            let laplacian = (neighbours[0] + neighbours[1] + neighbours[2] + neighbours[3] - 4 * s)
                .* (p[2] / (p[3] * p[3]))
            let u = s[0..<m], v = s[m..<(2 * m)]
            let uuv = u .* u .* v
            let forcing = Sym(b, b.constant(disc, .vector(m))) .* ifelse(t >= forcingStart, 1.0, t * 0)
            let du = p[1] + uuv - (p[0] + 1) * u + laplacian[0..<m] + forcing
            let dv = p[0] * u - uuv + laplacian[m..<(2 * m)]
            return [du, dv]
        }
    }

    /// u₀ and v₀ on the grid.
    public static func initialState(_ N: Int) -> [Double] {
        let m = N * N
        var state = [Double](repeating: 0, count: 2 * m)
        for r in 0..<m {
            let x = coordinate(r % N, N), y = coordinate(r / N, N)
            state[r] = 22 * pow3halves(y * (1 - y))
            state[m + r] = 27 * pow3halves(x * (1 - x))
        }
        return state
    }

    static func pow3halves(_ a: Double) -> Double { a * a.squareRoot() }

    /// The pattern ∂f/∂u must have: each equation's own cell of u and v, and the four
    /// neighbours of its own grid (CSC, rows increasing).
    public static func expectedPattern(_ N: Int) -> (colPtr: [Int], rowIndex: [Int]) {
        let m = N * N
        var rowsOfColumn = [Set<Int>](repeating: [], count: 2 * m)
        for q in 0..<(2 * m) {
            let block = q / m, r = q % m, i = r % N, j = r / N
            let own = [r, m + r]
            let stencil = [(-1, 0), (1, 0), (0, -1), (0, 1)].map { block * m + (i + $0.0 + N) % N + N * ((j + $0.1 + N) % N) }
            for c in own + stencil { rowsOfColumn[c].insert(q) }
        }
        var colPtr = [0], rowIndex: [Int] = []
        for rows in rowsOfColumn { rowIndex += rows.sorted(); colPtr.append(rowIndex.count) }
        return (colPtr, rowIndex)
    }
}
