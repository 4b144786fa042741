import Foundation

extension Interpreter {
    /// Elementary functions, rounding, `min`/`max`, random numbers, `eps`, `norm`, `dot`.
    static var mathBuiltins: [Builtin] { [
        .unaryMath("sin", Foundation.sin), .unaryMath("cos", Foundation.cos), .unaryMath("tan", Foundation.tan),
        .unaryMath("asin", Foundation.asin, domain: { Swift.abs($0) <= 1 || $0.isNaN }, complexHint: false),
        .unaryMath("acos", Foundation.acos, domain: { Swift.abs($0) <= 1 || $0.isNaN }, complexHint: false),
        Builtin(name: "atan", signature: "atan(y) or atan(y, x)") { call in
            try call.expect(1...2)
            if call.arguments.count == 2 { return .float(Foundation.atan2(try call.number(0), try call.number(1))) }
            return .float(Foundation.atan(try call.number(0)))
        },
        .unaryMath("sinh", Foundation.sinh), .unaryMath("cosh", Foundation.cosh), .unaryMath("tanh", Foundation.tanh),
        .unaryMath("exp", Foundation.exp), .unaryMath("expm1", Foundation.expm1),
        Builtin(name: "log", signature: "log(x) or log(b, x)") { call in
            try call.expect(1...2)
            // Julia's log(b, x) is log(x) / log(b), with both in the real domain.
            let values = try call.arguments.indices.map { try call.number($0) }
            if let negative = values.first(where: { $0 < 0 }) {
                throw call.error("DomainError with \(Value.format(negative)): log is not defined there",
                                 hint: "for a complex result, pass a complex number: log(complex(x))")
            }
            return .float(values.count == 2 ? Foundation.log(values[1]) / Foundation.log(values[0]) : Foundation.log(values[0]))
        },
        .unaryMath("log2", Foundation.log2, domain: { $0 >= 0 || $0.isNaN }),
        .unaryMath("log10", Foundation.log10, domain: { $0 >= 0 || $0.isNaN }),
        .unaryMath("log1p", Foundation.log1p, domain: { $0 >= -1 || $0.isNaN }),
        .unaryMath("sqrt", { $0.squareRoot() }, domain: { $0 >= 0 || $0.isNaN }),
        .unaryMath("cbrt", Interpreter.cbrt),
        .unaryMath("sigmoid", { 1 / (1 + Foundation.exp(-$0)) }),
        .unaryMath("softplus", { $0 > 30 ? $0 : Foundation.log1p(Foundation.exp($0)) }),
        Builtin(name: "atan2", signature: "atan2(y, x)") { call in
            try call.expect(2)
            return .float(Foundation.atan2(try call.number(0), try call.number(1)))
        },
        preserving("abs", Swift.abs, { $0 == Int.min ? Int.min : Swift.abs($0) }),
        preserving("abs2", { $0 * $0 }, { $0 &* $0 }),
        preserving("relu", { Swift.max($0, 0) }, { Swift.max($0, 0) }),
        preserving("sign", { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 }, { $0.signum() }),
        rounding("floor", .down), rounding("ceil", .up), rounding("round", .toNearestOrEven), rounding("trunc", .towardZero),
        Builtin(name: "min", signature: "min(x, y, ...)") { call in try extremum(call, less: true) },
        Builtin(name: "max", signature: "max(x, y, ...)") { call in try extremum(call, less: false) },
        Builtin(name: "isnan", signature: "isnan(x)") { call in try call.expect(1); return .bool(try call.number(0).isNaN) },
        Builtin(name: "isinf", signature: "isinf(x)") { call in try call.expect(1); return .bool(try call.number(0).isInfinite) },
        Builtin(name: "isfinite", signature: "isfinite(x)") { call in try call.expect(1); return .bool(try call.number(0).isFinite) },
        Builtin(name: "iseven", signature: "iseven(n)") { call in try call.expect(1); return .bool(try call.integer(0) % 2 == 0) },
        Builtin(name: "isodd", signature: "isodd(n)") { call in try call.expect(1); return .bool(try call.integer(0) % 2 != 0) },
        Builtin(name: "div", signature: "div(x, y)") { call in
            try call.expect(2)
            return try call.interpreter.binary(.integerDivide, call.arguments[0], call.arguments[1], call.span)
        },
        Builtin(name: "rem", signature: "rem(x, y)") { call in
            try call.expect(2)
            return try call.interpreter.binary(.remainder, call.arguments[0], call.arguments[1], call.span)
        },
        Builtin(name: "mod", signature: "mod(x, y)") { call in
            try call.expect(2)
            if let a = call.arguments[0].asInt, let b = call.arguments[1].asInt, !call.arguments.contains(where: \.isFloat) {
                guard b != 0 else { throw call.error("DivideError: integer division error") }
                let r = a % b
                return .int(r != 0 && (r < 0) != (b < 0) ? r + b : r)
            }
            let a = try call.number(0), b = try call.number(1)
            let r = a.truncatingRemainder(dividingBy: b)
            return .float(r != 0 && (r < 0) != (b < 0) ? r + b : r)
        },
        Builtin(name: "eps", signature: "eps() or eps(x)") { call in
            try call.expect(0...1)
            if call.arguments.isEmpty { return .float(Double.ulpOfOne) }
            if case .type = call.arguments[0] { return .float(Double.ulpOfOne) }
            return .float(try call.number(0).ulp)
        },
        Builtin(name: "rand", signature: "rand() or rand(n) or rand(n, m)") { call in
            try randomArray(call) { $0.random.uniform() }
        },
        Builtin(name: "randn", signature: "randn() or randn(n) or randn(n, m)") { call in
            try randomArray(call) { $0.random.normal() }
        },
        Builtin(name: "seed!", signature: "seed!(n) or seed!(rng, n)") { call in
            try call.expect(1...2)
            if call.arguments.count == 2 {
                // Random.seed!(rng, n): that generator's seed (Lux.setup draws with it); the
                // default generator also reseeds rand and randn.
                guard case .engine(.rng(let rng)) = call.arguments[0] else {
                    throw call.error("seed!(rng, n) needs a random generator first, got \(call.arguments[0].typeName)")
                }
                let seed = try call.integer(1)
                rng.seed = UInt64(truncatingIfNeeded: seed)
                if rng.name == "default_rng" { call.interpreter.random = RandomSource(seed: rng.seed) }
                return .engine(.rng(rng))
            }
            call.interpreter.random = RandomSource(seed: UInt64(truncatingIfNeeded: try call.integer(0)))
            return .nothing
        },
        Builtin(name: "norm", signature: "norm(x, p=2)") { call in
            try call.expect(1...2)
            let values = try call.interpreter.numbers(call.arguments[0], call.span)
            let p = call.arguments.count == 2 ? try call.number(1) : 2
            if p == .infinity { return .float(values.map(Swift.abs).max() ?? 0) }
            if p == 1 { return .float(values.map(Swift.abs).reduce(0, +)) }
            return .float(Foundation.pow(values.map { Foundation.pow(Swift.abs($0), p) }.reduce(0, +), 1 / p))
        },
        Builtin(name: "dot", signature: "dot(x, y)") { call in
            try call.expect(2)
            let x = try call.interpreter.numbers(call.arguments[0], call.span)
            let y = try call.interpreter.numbers(call.arguments[1], call.span)
            guard x.count == y.count else { throw call.error("DimensionMismatch: dot product of lengths \(x.count) and \(y.count)") }
            return .float(zip(x, y).map(*).reduce(0, +))
        },
        Builtin(name: "ifelse", signature: "ifelse(condition, a, b)") { call in
            try call.expect(3)
            guard case .bool(let flag) = call.arguments[0] else {
                throw call.error("TypeError: non-boolean (\(call.arguments[0].typeName)) used in boolean context")
            }
            return flag ? call.arguments[1] : call.arguments[2]
        },
        Builtin(name: "transpose", signature: "transpose(A)") { call in
            try call.expect(1)
            return try call.interpreter.transpose(call.arguments[0], call.span)
        },
    ] }

    /// The real cube root, exact for perfect cubes as Julia's is: glibc's `cbrt(27.0)` is one ulp
    /// above 3, so of the result and its two neighbours the one whose cube (residual by fma) is
    /// nearest `x` is taken.
    static func cbrt(_ x: Double) -> Double {
        let root = Foundation.cbrt(x)
        guard root.isFinite, root != 0 else { return root }
        let residual = { (y: Double) in Swift.abs(Foundation.fma(y * y, y, -x)) }
        return [root, root.nextDown, root.nextUp].min { residual($0) < residual($1) } ?? root
    }

    /// A function that keeps Ints as Ints (`abs(-2) == 2`).
    private static func preserving(_ name: String, _ float: @escaping (Double) -> Double, _ int: @escaping (Int) -> Int) -> Builtin {
        Builtin(name: name, signature: "\(name)(x)") { call in
            try call.expect(1)
            if case .int(let x) = call.arguments[0] { return .int(int(x)) }
            return .float(float(try call.number(0)))
        }
    }

    /// `floor(x)`, `floor(Int, x)`.
    private static func rounding(_ name: String, _ rule: FloatingPointRoundingRule) -> Builtin {
        Builtin(name: name, signature: "\(name)(x) or \(name)(Int, x)") { call in
            try call.expect(1...2)
            try call.allowKeywords(["digits"])
            if call.arguments.count == 2 {
                let x = try call.number(1).rounded(rule)
                guard x.isFinite, Swift.abs(x) < 9.2e18 else { throw call.error("InexactError: trunc(Int64, \(Value.format(x)))") }
                return .int(Int(x))
            }
            if case .int = call.arguments[0] { return call.arguments[0] }
            if let digits = call.keyword("digits")?.asInt {
                let scale = Foundation.pow(10.0, Double(digits))
                return .float((try call.number(0) * scale).rounded(rule) / scale)
            }
            return .float(try call.number(0).rounded(rule))
        }
    }

    private static func extremum(_ call: BuiltinCall, less: Bool) throws -> Value {
        try call.expect(1...Int.max)
        if call.arguments.count == 1 {
            // max(x) of one number is x, as in Julia; of a collection, maximum(v) is meant.
            if call.arguments[0].asDouble != nil { return call.arguments[0] }
            throw call.error("MethodError: no method matching \(call.name)(::\(call.arguments[0].typeName))", hint: "use \(less ? "minimum" : "maximum")(v) for a vector")
        }
        var best = call.arguments[0]
        for next in call.arguments.dropFirst() {
            guard let a = best.asDouble, let b = next.asDouble else {
                throw call.error("MethodError: no method matching \(call.name)(::\(best.typeName), ::\(next.typeName))")
            }
            if b.isNaN || (less ? b < a : b > a) { best = next } else if best.isFloat == false && next.isFloat && a == b { best = next }
        }
        if call.arguments.contains(where: \.isFloat), let value = best.asDouble { return .float(value) }
        return best
    }

    private static func randomArray(_ call: BuiltinCall, _ draw: (Interpreter) -> Double) throws -> Value {
        try call.expect(0...2)
        if call.arguments.isEmpty { return .float(draw(call.interpreter)) }
        let shape = try call.arguments.indices.map { try call.integer($0) }
        guard shape.allSatisfy({ $0 >= 0 && $0 <= 100_000_000 }) else { throw call.error("invalid array size \(shape)") }
        let count = shape.reduce(1, *)
        return .array(NumericArray((0..<count).map { _ in draw(call.interpreter) }, shape: shape))
    }
}
