import Foundation

extension Interpreter {
    /// `complex`, `real`, `imag`, `conj`, `angle`: defined for real numbers too, as in Julia.
    static var complexBuiltins: [Builtin] { [
        Builtin(name: "complex", signature: "complex(re, im=0)") { call in
            try call.expect(1...2)
            return .complex(try complexNumber(call.arguments, name: "complex", call.span))
        },
        complexPart("real") { z in z.re },
        complexPart("imag") { z in z.im },
        Builtin(name: "conj", signature: "conj(z)") { call in
            try call.expect(1)
            guard case .complex(var z) = call.arguments[0] else { return try realArgument(call) }
            z.im = -z.im
            return .complex(z)
        },
        Builtin(name: "angle", signature: "angle(z)") { call in
            try call.expect(1)
            return .float(try complexArgument(call).argument)
        },
    ] }

    /// `complex(re, im)`, `Complex(re, im)`, `complex(z)`: two real numbers, or one number.
    static func complexNumber(_ arguments: [Value], name: String, _ span: SourceSpan) throws -> ComplexNumber {
        let parts = arguments.compactMap(ComplexNumber.init)
        guard (1...2).contains(arguments.count), parts.count == arguments.count,
              arguments.count == 1 || !arguments.contains(where: \.isComplex) else {
            throw LangError("MethodError: no method matching \(name)(" + arguments.map { "::" + $0.typeName }.joined(separator: ", ") + ")",
                            at: span, hint: "call it as \(name)(re, im) with real numbers")
        }
        if parts.count == 1 { return parts[0] }
        return ComplexNumber(re: parts[0].re, im: parts[1].re, element: max(parts[0].element, parts[1].element))
    }

    /// The functions of one number that also take a complex argument, by builtin name.
    static let complexMethods: [String: @Sendable (ComplexNumber) -> Value] = [
        "abs": { .float($0.magnitude) },
        "abs2": { z in
            let square = z.re * z.re + z.im * z.im
            return z.element == .float ? .float(square) : .int(Int(square))
        },
        "exp": { ComplexNumber.exp($0).value },
        "log": { ComplexNumber.log($0).value },
        "sqrt": { ComplexNumber.sqrt($0).value },
        "isfinite": { .bool($0.re.isFinite && $0.im.isFinite) },
        "isnan": { .bool($0.re.isNaN || $0.im.isNaN) },
    ]

    /// `abs(z)`, `exp(z)`, ... for a complex argument; nil when `call` is not one of those.
    static func complexMethod(_ call: BuiltinCall) throws -> Value? {
        guard call.arguments.contains(where: \.isComplex) else { return nil }
        guard let method = complexMethods[call.name] else {
            if mathBuiltins.contains(where: { $0.name == call.name }) {
                throw call.error("MethodError: no method matching \(call.name)(" + call.arguments.map { "::" + $0.typeName }.joined(separator: ", ") + ")",
                                 hint: "for complex numbers: abs, abs2, angle, conj, real, imag, exp, log, sqrt and ^")
            }
            return nil
        }
        try call.expect(1)
        guard case .complex(let z) = call.arguments[0] else { return nil }
        return method(z)
    }

    private static func complexPart(_ name: String, _ part: @escaping (ComplexNumber) -> Double) -> Builtin {
        Builtin(name: name, signature: "\(name)(z)") { call in
            try call.expect(1)
            let z = try complexArgument(call)
            let x = part(z)
            switch z.element {
            case .float: return .float(x)
            case .int: return .int(Int(x))
            case .bool: return .bool(x != 0)
            }
        }
    }

    /// The argument of a one-number call as a complex number.
    private static func complexArgument(_ call: BuiltinCall) throws -> ComplexNumber {
        guard let z = ComplexNumber(call.arguments[0]) else {
            throw call.error("MethodError: no method matching \(call.name)(::\(call.arguments[0].typeName))", hint: "call it as \(call.signature)")
        }
        return z
    }

    /// A real argument returned as it is (`conj(2.0) == 2.0`), after checking it is a number.
    private static func realArgument(_ call: BuiltinCall) throws -> Value {
        _ = try complexArgument(call)
        return call.arguments[0]
    }
}
