import Foundation

/// A complex number with Julia's element type: `im` is a `Complex{Bool}`, `1 + 2im` a
/// `Complex{Int64}`, `1.0 + 2im` and `sqrt(complex(-1.0))` are `ComplexF64`. Complex numbers
/// are values only: `gradient` and traced right-hand sides refuse them.
public struct ComplexNumber: Sendable, Equatable {
    /// The element type, ordered by promotion (Bool < Int64 < Float64).
    enum Element: Int, Comparable, Sendable {
        case bool, int, float
        static func < (a: Element, b: Element) -> Bool { a.rawValue < b.rawValue }
    }

    /// The real part.
    var re: Double
    /// The imaginary part.
    var im: Double
    /// The element type of both parts.
    var element: Element

    /// The imaginary unit `im`.
    static let imaginaryUnit = ComplexNumber(re: 0, im: 1, element: .bool)

    /// A complex number with Float64 parts.
    init(_ re: Double, _ im: Double) { self.init(re: re, im: im, element: .float) }

    init(re: Double, im: Double, element: Element) {
        self.re = re
        self.im = im
        self.element = element
    }

    /// A real number (Int, Float64, Bool) or a complex number as a complex number.
    init?(_ value: Value) {
        switch value {
        case .complex(let z): self = z
        case .int(let x): self.init(re: Double(x), im: 0, element: .int)
        case .float(let x): self.init(re: x, im: 0, element: .float)
        case .bool(let x): self.init(re: x ? 1 : 0, im: 0, element: .bool)
        default: return nil
        }
    }

    /// `abs(z)`, without overflow for large parts.
    var magnitude: Double { Foundation.hypot(re, im) }
    /// `angle(z)`, in (-π, π].
    var argument: Double { Foundation.atan2(im, re) }

    /// Julia's type name: `ComplexF64`, `Complex{Int64}`, `Complex{Bool}`.
    var typeName: String {
        switch element {
        case .float: return "ComplexF64"
        case .int: return "Complex{Int64}"
        case .bool: return "Complex{Bool}"
        }
    }

    /// Julia's `show`: `1.0 + 2.0im`, `1 - 2im`, `im`, `1.0 + Inf*im`.
    var repr: String {
        func part(_ x: Double) -> String {
            switch element {
            case .float: return Value.format(x)
            case .int: return String(Int(x))
            case .bool: return x != 0 ? "true" : "false"
            }
        }
        if element == .bool {
            return re == 0 && im == 1 ? "im" : "Complex(\(part(re)), \(part(im)))"
        }
        let negative = im.sign == .minus && !im.isNaN
        let star = element == .float && !im.isFinite ? "*" : ""
        return part(re) + (negative ? " - " : " + ") + part(Swift.abs(im)) + star + "im"
    }

    /// The number as a language value.
    var value: Value { .complex(self) }
}

extension Interpreter {
    /// `a op b` when either side is complex and both are numbers; nil otherwise.
    func complexBinary(_ op: Operator, _ left: Value, _ right: Value, _ span: SourceSpan) throws -> Value? {
        guard left.isComplex || right.isComplex, let a = ComplexNumber(left), let b = ComplexNumber(right) else { return nil }
        // Bool promotes to Int in arithmetic, as Julia's `im + im == 2im`.
        let ring = max(a.element, b.element, .int)
        func result(_ re: Double, _ im: Double, _ element: ComplexNumber.Element) -> Value {
            .complex(ComplexNumber(re: re, im: im, element: element))
        }
        switch op {
        case .plus: return result(a.re + b.re, a.im + b.im, ring)
        case .minus: return result(a.re - b.re, a.im - b.im, ring)
        case .times, .dot: return result(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re, ring)
        case .divide: return ComplexNumber.divide(a, b).value
        case .leftDivide: return ComplexNumber.divide(b, a).value
        case .power: return ComplexNumber.power(a, b, integerExponent: right.isComplex ? nil : right.asInt).value
        case .equal: return .bool(a.re == b.re && a.im == b.im)
        case .notEqual: return .bool(!(a.re == b.re && a.im == b.im))
        case .approx:
            let difference = Foundation.hypot(a.re - b.re, a.im - b.im)
            return .bool(difference == 0 || difference <= 1.4901161193847656e-8 * max(a.magnitude, b.magnitude))
        case .less, .lessEqual, .greater, .greaterEqual:
            throw LangError("MethodError: no method matching isless(::\(left.typeName), ::\(right.typeName))", at: span,
                            hint: "complex numbers are not ordered; compare abs(z) or real(z)")
        default:
            throw LangError("MethodError: no method matching \(op.rawValue)(::\(left.typeName), ::\(right.typeName))", at: span)
        }
    }
}

extension ComplexNumber {
    /// `a / b` in Float64 (Smith's algorithm, so that large parts do not overflow).
    /// References: R. L. Smith, "Algorithm 116: Complex division", CACM 1962.
    static func divide(_ a: ComplexNumber, _ b: ComplexNumber) -> ComplexNumber {
        if Swift.abs(b.re) >= Swift.abs(b.im) {
            let r = b.im / b.re, d = b.re + b.im * r
            return ComplexNumber((a.re + a.im * r) / d, (a.im - a.re * r) / d)
        }
        let r = b.re / b.im, d = b.im + b.re * r
        return ComplexNumber((a.re * r + a.im) / d, (a.im * r - a.re) / d)
    }

    /// `a ^ b`: repeated squaring for an integer exponent (Julia keeps `Complex{Int64}` for a
    /// non-negative one, and inverts for a negative one), `exp(b log a)` otherwise.
    static func power(_ a: ComplexNumber, _ b: ComplexNumber, integerExponent: Int?) -> ComplexNumber {
        if let n = integerExponent, n < 0, n > -(1 << 20) {
            return divide(ComplexNumber(1, 0), power(a, b, integerExponent: -n))
        }
        if let n = integerExponent, n >= 0, n < 1 << 20 {
            var result = ComplexNumber(re: 1, im: 0, element: max(a.element, b.element, .int))
            var base = a, exponent = n
            while exponent > 0 {
                if exponent & 1 == 1 { result = multiply(result, base) }
                base = multiply(base, base)
                exponent >>= 1
            }
            return result
        }
        if a.re == 0 && a.im == 0 { return ComplexNumber(b.re == 0 && b.im == 0 ? 1 : 0, 0) }
        return exp(multiply(b, log(a)))
    }

    static func multiply(_ a: ComplexNumber, _ b: ComplexNumber) -> ComplexNumber {
        ComplexNumber(re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re, element: max(a.element, b.element, .int))
    }

    /// `exp(z) = eʳᵉ (cos im + i sin im)`.
    static func exp(_ z: ComplexNumber) -> ComplexNumber {
        let scale = Foundation.exp(z.re)
        return ComplexNumber(scale * Foundation.cos(z.im), scale * Foundation.sin(z.im))
    }

    /// The principal logarithm `log|z| + i angle(z)`.
    static func log(_ z: ComplexNumber) -> ComplexNumber { ComplexNumber(Foundation.log(z.magnitude), z.argument) }

    /// The principal square root, with the sign of the imaginary part following `z.im` (so
    /// `sqrt(complex(-1.0))` is `im` and `sqrt(complex(-1.0, -0.0))` is `-im`, as Julia).
    static func sqrt(_ z: ComplexNumber) -> ComplexNumber {
        let r = z.magnitude
        let re = ((r + z.re) / 2).squareRoot()
        let im = ((r - z.re) / 2).squareRoot()
        return ComplexNumber(re, z.im.sign == .minus ? -im : im)
    }
}

extension Value {
    /// Whether the value is a complex number.
    var isComplex: Bool {
        if case .complex = self { return true }
        return false
    }
}
