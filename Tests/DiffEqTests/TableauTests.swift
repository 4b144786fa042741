import DiffEq
import XCTest

/// Every tableau against the Runge–Kutta order conditions, its published shape, and the
/// initialiser's own checks.
///
/// The methods are those of `MethodRegistry` plus the tableaux not registered yet, deduplicated
/// by name, so a method is covered as soon as it is written and stays covered once registered.
final class TableauTests: XCTestCase {
    /// Tableaux written but possibly not yet registered.
    static var written: [(name: String, make: () throws -> ButcherTableau)] {
        [("Tsit5", ButcherTableau.tsit5), ("Vern6", ButcherTableau.vern6), ("Vern7", ButcherTableau.vern7),
         ("Vern8", ButcherTableau.vern8), ("Vern9", ButcherTableau.vern9), ("DP8", ButcherTableau.dp8)]
    }

    /// Registry first, then the written list, each name once.
    static func methods() throws -> [ButcherTableau] {
        var seen = Set<String>()
        var result: [ButcherTableau] = []
        let builders = MethodRegistry.builders.map { (name: $0.name, make: $0.make as () throws -> ButcherTableau) }
        for (name, make) in builders + written where seen.insert(name).inserted {
            let t = try make()
            XCTAssertEqual(t.name, name, "builder \(name) makes a tableau named \(t.name)")
            result.append(t)
        }
        return result
    }

    /// Residuals are measured against the size of the terms summed: long, large-coefficient
    /// sums (Vern9, DP8's dense output) cannot be exact to better than rounding of their terms.
    static let relativeTolerance = 1e-12
    static let thetas: [Double] = [0.1, 0.37, 0.5, 0.83]

    func testTreeCounts() {
        let trees = RootedTrees(maxOrder: 9)
        XCTAssertEqual((1...9).map { trees.trees(ofOrder: $0).count }, [1, 1, 2, 4, 9, 20, 48, 115, 286])
        // γ of the tall tree of order 4 is 4·3·2·1, of the bushy one 4.
        let gammas = trees.trees(ofOrder: 4).map { trees.gamma[$0] }.sorted()
        XCTAssertEqual(gammas, [4, 8, 12, 24])
    }

    /// Σᵢ bᵢ Φᵢ(t) = 1/γ(t) for all trees with |t| ≤ order.
    func testOrderConditions() throws {
        for t in try Self.methods() {
            let trees = RootedTrees(maxOrder: t.order)
            let phi = SlotTableau(t).elementaryWeights(trees)
            let failure = Self.violation(weights: Self.solutionWeights(t), phi: phi, trees: trees,
                                         upTo: t.order, theta: 1)
            XCTAssertNil(failure, "\(t.name): \(failure ?? "")")
        }
    }

    /// The embedded weights b̂ = b − btilde satisfy the conditions up to `embeddedOrder` and fail
    /// one of order `embeddedOrder + 1`, so the estimate is of exactly that order.
    func testEmbeddedOrder() throws {
        for t in try Self.methods() {
            guard let q = t.embeddedOrder else { continue }
            let trees = RootedTrees(maxOrder: q + 1)
            let phi = SlotTableau(t).elementaryWeights(trees)
            var bhat = [Double](repeating: 0, count: t.slots)
            for i in 0..<t.stages { bhat[i] = t.b[i] - t.btilde[i] }
            bhat[t.stages] = -t.btilde[t.stages]
            let failure = Self.violation(weights: bhat, phi: phi, trees: trees, upTo: q, theta: 1)
            XCTAssertNil(failure, "\(t.name) embedded: \(failure ?? "")")
            let next = trees.trees(ofOrder: q + 1).map { k in
                Swift.abs(zip(bhat, phi[k]).reduce(0) { $0 + $1.0 * $1.1 } - 1 / trees.gamma[k])
            }
            XCTAssertGreaterThan(next.max() ?? 0, 1e-8, "\(t.name): the embedded formula is of order > \(q)")
        }
    }

    /// Σᵢ bᵢ(θ) Φᵢ(t) = θ^|t|/γ(t) for all trees with |t| ≤ denseOrder, over all slots.
    func testDenseOutputOrder() throws {
        for t in try Self.methods() {
            let trees = RootedTrees(maxOrder: t.denseOrder)
            let phi = SlotTableau(t).elementaryWeights(trees)
            for theta in Self.thetas {
                let w = t.dense.map { row in row.enumerated().reduce(0.0) { $0 + $1.1 * pow(theta, Double($1.0 + 1)) } }
                let size = t.dense.map { row in
                    row.enumerated().reduce(0.0) { $0 + Swift.abs($1.1) * pow(theta, Double($1.0 + 1)) }
                }
                let failure = Self.violation(weights: w, sizes: size, phi: phi, trees: trees,
                                             upTo: t.denseOrder, theta: theta)
                XCTAssertNil(failure, "\(t.name) dense output at θ = \(theta): \(failure ?? "")")
            }
        }
    }

    /// Shapes as published: stage counts, FSAL, orders, interpolation, nodes c.
    func testPublishedShapes() throws {
        let methods = try Self.methods()
        for p in Self.published {
            guard let t = methods.first(where: { $0.name == p.name }) else {
                XCTFail("\(p.name) is neither registered nor written")
                continue
            }
            XCTAssertEqual(t.stages, p.stages, p.name)
            XCTAssertEqual(t.fsal, p.fsal, p.name)
            XCTAssertEqual(t.order, p.order, p.name)
            XCTAssertEqual(t.embeddedOrder, p.embedded, p.name)
            XCTAssertEqual(t.interpolation, p.interpolation, p.name)
            XCTAssertEqual(t.extraStages.count, p.extraC.count, p.name)
            XCTAssertEqual(t.c.count, p.c.count, p.name)
            for (i, (got, want)) in zip(t.c + t.extraStages.map(\.c), p.c + p.extraC).enumerated() {
                XCTAssertEqual(got, want, accuracy: 1e-15, "\(p.name) c[\(i)]")
            }
        }
    }

    /// A mistyped coefficient fails the initialiser, with the reason in the message.
    func testBrokenTableauxAreRejected() throws {
        let tsit5 = try ButcherTableau.tsit5()
        XCTAssertNoThrow(try Self.rebuilt(tsit5) { _ in })
        // −6.359448489975075 with two digits transposed.
        Self.assertRejected(try Self.rebuilt(tsit5) { $0.a[3][1] = -6.395448489975075 },
                            containing: "tableau Tsit5: row 3 of a sums to")
        Self.assertRejected(try Self.rebuilt(tsit5) { $0.b[2] += 1e-6 }, containing: "b sums to")
        Self.assertRejected(try Self.rebuilt(tsit5) { $0.btilde[4] += 1e-6 }, containing: "error weights sum to")
        Self.assertRejected(try Self.rebuilt(tsit5) { $0.dense[3][2] += 1e-6 },
                            containing: "dense output row 3 gives")
        let vern9 = try ButcherTableau.vern9()
        Self.assertRejected(try Self.rebuilt(vern9) { $0.extraStages[2].a[8] += 1e-6 },
                            containing: "interpolation stage 2 sums to")
    }

    /// A typo that keeps a row's sum passes the initialiser but not the order conditions.
    func testRowSumPreservingTypoFailsOrderConditions() throws {
        let broken = try Self.rebuilt(try ButcherTableau.dp8()) { p in
            p.a[9][5] += 1e-6
            p.a[9][0] -= 1e-6
        }
        let trees = RootedTrees(maxOrder: broken.order)
        let phi = SlotTableau(broken).elementaryWeights(trees)
        let failure = Self.violation(weights: Self.solutionWeights(broken), phi: phi, trees: trees,
                                     upTo: broken.order, theta: 1)
        XCTAssertNotNil(failure)
    }
}

extension TableauTests {
    /// b over all slots (zero beyond the stages).
    static func solutionWeights(_ t: ButcherTableau) -> [Double] {
        t.b + [Double](repeating: 0, count: t.slots - t.stages)
    }

    /// The first condition Σᵢ wᵢ Φᵢ(t) = θ^|t|/γ(t) with |t| ≤ n violated by more than
    /// `relativeTolerance` times max(1, Σᵢ sizeᵢ |Φᵢ(t)|), as a message; nil when all hold.
    /// `sizes` defaults to |wᵢ|.
    static func violation(weights w: [Double], sizes: [Double]? = nil, phi: [[Double]], trees: RootedTrees,
                          upTo n: Int, theta: Double) -> String? {
        let size = sizes ?? w.map { Swift.abs($0) }
        for k in 0..<trees.count where trees.order[k] <= n {
            let sum = zip(w, phi[k]).reduce(0) { $0 + $1.0 * $1.1 }
            let scale = Swift.max(1, zip(size, phi[k]).reduce(0) { $0 + $1.0 * Swift.abs($1.1) })
            let residual = Swift.abs(sum - pow(theta, Double(trees.order[k])) / trees.gamma[k]) / scale
            if residual > relativeTolerance {
                return "tree \(k) (order \(trees.order[k]), children \(trees.children[k])) is off by \(residual)"
            }
        }
        return nil
    }

    /// A tableau's parts, editable, for building broken copies.
    struct Parts {
        var a: [[Double]]
        var b: [Double]
        var c: [Double]
        var btilde: [Double]
        var extraStages: [(c: Double, a: [Double])]
        var dense: [[Double]]
    }

    /// The tableau rebuilt from its public parts after `edit`.
    static func rebuilt(_ t: ButcherTableau, edit: (inout Parts) -> Void) throws -> ButcherTableau {
        let s = t.stages
        var p = Parts(a: (0..<s).map { i in (0..<i).map { t.a[i * s + $0] } }, b: t.b, c: t.c, btilde: t.btilde,
                      extraStages: t.extraStages, dense: t.dense)
        edit(&p)
        let own = t.interpolation != .hermite
        return try ButcherTableau(name: t.name, order: t.order, embeddedOrder: t.embeddedOrder, a: p.a, b: p.b,
                                  c: p.c, btilde: p.btilde, fsal: t.fsal, extraStages: p.extraStages,
                                  dense: own ? p.dense : nil, denseOrder: own ? t.denseOrder : nil)
    }

    static func assertRejected(_ make: @autoclosure () throws -> ButcherTableau, containing text: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try make(), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "\"\(error)\" does not contain \"\(text)\"",
                          file: file, line: line)
        }
    }
}

extension TableauTests {
    struct Published {
        let name: String
        let stages: Int
        let fsal: Bool
        let order: Int
        let embedded: Int?
        let interpolation: ButcherTableau.Interpolation
        let c: [Double]
        var extraC: [Double] = []
    }

    /// Nodes as the papers give them (closed forms where they have one).
    static var published: [Published] {
        let r6 = 6.0.squareRoot()
        return [
            Published(name: "Euler", stages: 1, fsal: false, order: 1, embedded: 2, interpolation: .hermite, c: [0]),
            Published(name: "Midpoint", stages: 2, fsal: false, order: 2, embedded: 1, interpolation: .hermite,
                      c: [0, 0.5]),
            Published(name: "Heun", stages: 2, fsal: false, order: 2, embedded: 1, interpolation: .hermite, c: [0, 1]),
            Published(name: "Ralston", stages: 2, fsal: false, order: 2, embedded: 1, interpolation: .hermite,
                      c: [0, 2.0 / 3]),
            Published(name: "RK4", stages: 4, fsal: false, order: 4, embedded: 3, interpolation: .hermite,
                      c: [0, 0.5, 0.5, 1]),
            Published(name: "BS3", stages: 4, fsal: true, order: 3, embedded: 2, interpolation: .hermite,
                      c: [0, 0.5, 0.75, 1]),
            Published(name: "DP5", stages: 7, fsal: true, order: 5, embedded: 4, interpolation: .own(order: 4),
                      c: [0, 0.2, 0.3, 0.8, 8.0 / 9, 1, 1]),
            Published(name: "Tsit5", stages: 7, fsal: true, order: 5, embedded: 4, interpolation: .own(order: 4),
                      c: [0, 0.161, 0.327, 0.9, 0.98002554090450968572981028628702459549, 1, 1]),
            Published(name: "Vern6", stages: 9, fsal: true, order: 6, embedded: 5, interpolation: .own(order: 6),
                      c: [0, 3.0 / 50, 1439.0 / 15000, 1439.0 / 10000, 4973.0 / 10000, 389.0 / 400, 1999.0 / 2000,
                          1, 1],
                      extraC: [1.0 / 2, 207.0 / 250, 7.0 / 25]),
            Published(name: "Vern7", stages: 10, fsal: false, order: 7, embedded: 6, interpolation: .own(order: 6),
                      c: [0, 1.0 / 200, 49.0 / 450, 49.0 / 300, 911.0 / 2000, 3480084980.0 / 5709648941,
                          221.0 / 250, 37.0 / 40, 1, 1],
                      extraC: [29.0 / 100, 1.0 / 8, 1.0 / 4, 53.0 / 100, 79.0 / 100]),
            Published(name: "Vern8", stages: 13, fsal: false, order: 8, embedded: 7, interpolation: .own(order: 8),
                      c: [0, 1.0 / 20, 341.0 / 3200, 1023.0 / 6400, 39.0 / 100, 93.0 / 200, 31.0 / 200, 943.0 / 1000,
                          7067558016280.0 / 7837150160667, 909.0 / 1000, 47.0 / 50, 1, 1],
                      extraC: [0.3110177634953863863927417318829099695921, 69.0 / 400, 3923.0 / 5000, 37.0 / 100,
                               1.0 / 2, 7.0 / 10, 9.0 / 10]),
            Published(name: "Vern9", stages: 16, fsal: false, order: 9, embedded: 8, interpolation: .own(order: 9),
                      c: [0, 1731.0 / 50000, (7630049 - 983539 * r6) / 53810000, (22890147 - 2950617 * r6) / 107620000,
                          561.0 / 1000, 387.0 / 1000 - 129 * r6 / 2000, 387.0 / 1000 + 129 * r6 / 2000, 129.0 / 200,
                          387.0 / 800, 6757.0 / 100000, 1.0 / 4,
                          0.6590650618730998549405331618649220295334,  // 1427971650951258372/2166662646162554701
                          4103.0 / 5000, 2253.0 / 2500, 1, 1],
                      extraC: [0.7404185470631561083004100761798676215811, 111.0 / 125, 87.0 / 125, 487.0 / 1000,
                               1.0 / 40, 3.0 / 20, 8.0 / 25, 39.0 / 50, 24.0 / 25]),
            Published(name: "DP8", stages: 12, fsal: false, order: 8, embedded: 5, interpolation: .own(order: 7),
                      c: [0, 2 * (6 - r6) / 135, (6 - r6) / 45, (6 - r6) / 30, (6 + r6) / 30, 1.0 / 3, 1.0 / 4,
                          4.0 / 13, 127.0 / 195, 3.0 / 5, 6.0 / 7, 1],
                      extraC: [1.0 / 10, 1.0 / 5, 7.0 / 9]),
        ]
    }
}
