extension ButcherTableau {
    /// Rodas5P: Steinebach's 8-stage, 5th-order, stiffly accurate and L-stable
    /// Rosenbrock–Wanner method, with an embedded 4th-order estimate (the last stage's
    /// increment) and a 3rd/4th-order dense output from three stage combinations. Per step one
    /// Jacobian (given, or by finite differences), one LU of W = I/(hγ) − J, and nine
    /// evaluations of f (seven stages, ∂f/∂t and f(t + h, u₁)).
    ///
    /// Coefficients in the transformed form, as published with OrdinaryDiffEq.jl's Rodas5P.
    ///
    /// References: G. Steinebach, "Construction of Rosenbrock–Wanner method Rodas5P and
    /// numerical benchmarks within the Julia Differential Equations package", BIT Numer. Math.
    /// 63, 27 (2023); G. Steinebach, "Improvement of Rosenbrock-Wanner method RODASP", 2020;
    /// C. Rackauckas and Q. Nie, DifferentialEquations.jl, J. Open Res. Softw. 5(1), 2017.
    public static func rodas5P() throws -> ButcherTableau {
        let lastA = [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
                     0.030198172008377946, 1, 1]
        let a: [[Double]] = [
            [],
            [3.0],
            [2.849394379747939, 0.45842242204463923],
            [-6.954028509809101, 2.489845061869568, -10.358996098473584],
            [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
            [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
             0.030198172008377946],
            [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
             0.030198172008377946, 1],
            lastA,
        ]
        let cMatrix: [[Double]] = [
            [],
            [-14.155112264123755],
            [-17.97296035885952, -2.859693295451294],
            [147.12150275711716, -1.41221402718213, 71.68940251302358],
            [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
            [24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125,
             -0.6610691825249471],
            [30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783,
             -19.097331116725623, -28.087943162872662],
            [37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047,
             -40.06618937091002, -54.66780262877968, -9.48861652309627],
        ]
        let c = [0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664, 1, 1, 1]
        let d = [0.21193756319429014, -0.42387512638858027, -0.3384627126235924, 1.8046452872882734,
                 2.325825639765069, 0, 0, 0]
        let h: [[Double]] = [
            [25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204,
             0.524948541321073, 1.1241088310450404, 0.4272876194431874, -0.17202221070155493],
            [-9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796,
             20.176138334709044, 15.98066361424651, -6.789040303419874, -6.710236069923372],
            [11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643,
             -52.072871366152654, -59.78993625266729, -0.15582684282751913, 4.883087185713722],
        ]
        let coefficients = try RosenbrockCoefficients(
            name: "Rodas5P", gamma: 0.21193756319429014, a: a, cMatrix: cMatrix, c: c, d: d,
            b: lastA + [1], btilde: [0, 0, 0, 0, 0, 0, 0, 1], h: h)
        return try rosenbrock(name: "Rodas5P", order: 5, embeddedOrder: 4, coefficients, denseOrder: 3)
    }

    /// A tableau for a Rosenbrock–Wanner method of the transformed form. Slots: 0 = f(t, u₀),
    /// 1 = (u₁ − u₀)/h, 2… = Kᵣ/h for the dense rows, the end slot (`stages`) = f(t + h, u₁);
    /// the dense output u₀ + θ(u₁ − u₀) + (1 − θ) θ^r Kᵣ (r = 1, 2, …) is written over them.
    static func rosenbrock(name: String, order: Int, embeddedOrder: Int, _ coefficients: RosenbrockCoefficients,
                           denseOrder: Int) throws -> ButcherTableau {
        let s = coefficients.stages
        let rows = coefficients.h.count
        guard rows + 2 <= s else {
            throw TableauError(method: name, reason: "\(rows) dense rows do not fit in \(s) stage slots")
        }
        var dense = [[Double]](repeating: [], count: s + 1)
        dense[1] = [1]
        for r in 0..<rows {
            // θ^(r+1) (1 − θ) = θ^(r+1) − θ^(r+2): coefficients of θ¹, θ², ...
            var row = [Double](repeating: 0, count: r + 2)
            row[r] = 1
            row[r + 1] = -1
            dense[2 + r] = row
        }
        var b = [Double](repeating: 0, count: s)
        b[1] = 1
        return ButcherTableau(family: .rosenbrock(coefficients), name: name, order: order,
                              embeddedOrder: embeddedOrder, stages: s, b: b, c: coefficients.c, dense: dense,
                              interpolation: .own(order: denseOrder))
    }
}
