import Foundation

/// A value of the Fluxion language.
///
/// Numbers follow Julia: `Int` (64-bit, wrapping on overflow as Julia's `Int64` does) and
/// `Float64`, with `Bool` promoting to `Int` in arithmetic. Arrays are references, as in
/// Julia: `du[1] = x` inside a function changes the caller's vector.
public enum Value {
    /// `Int64`.
    case int(Int)
    /// `Float64`.
    case float(Double)
    /// `true`, `false`.
    case bool(Bool)
    /// A string.
    case string(String)
    /// `:name`.
    case symbol(String)
    /// `nothing`.
    case nothing
    /// A numeric vector or matrix (`Vector{Float64}`, `Vector{Int64}`, `Matrix{Float64}`).
    case array(NumericArray)
    /// A vector of arbitrary values (`Vector{Any}`, `Vector{Bool}`, vectors of vectors).
    case list(ValueList)
    /// A lazy range `a:b`, `a:s:b`, `range(a, b, length=n)`.
    case range(RangeValue)
    /// `(1, 2.0)`.
    case tuple([Value])
    /// `first => second` (Julia's `Pair`, as in `Dense(2 => 50, tanh)`).
    indirect case pair(Value, Value)
    /// `(a = 1, b = 2)`.
    case namedTuple(names: [String], values: [Value])
    /// A user function (all its methods) or a builtin.
    case function(FunctionValue)
    /// A type, as `typeof` returns it (`Float64`, `Vector{Float64}`).
    case type(String)
    /// An engine object: an algorithm, a problem, a solution, a plot (`Builtins+DiffEq.swift`).
    case engine(EngineObject)
    /// A traced scalar or array while a right-hand side is traced (`Interpreter+Tracing.swift`).
    case traced(TracedValue)
    /// The traced `du` of an in-place right-hand side.
    case tracedOutput(TracedOutput)
    /// A value on a reverse-mode tape while `gradient` evaluates a function (`Interpreter+Gradient.swift`).
    case tape(TapeValue)
    /// `Dict("a" => 1)`: a mutable reference, as Julia's (`Value+Dict.swift`).
    case dict(DictValue)
    /// `1.0 + 2.0im` (`Complex.swift`).
    case complex(ComplexNumber)
    /// An instance of a user `struct` (`Structs.swift`).
    case object(StructInstance)
}

extension Value: @unchecked Sendable {}

/// A numeric array stored as `Double`s in row-major order; `isInteger` keeps Julia's
/// element type (`[1, 2]` is a `Vector{Int64}`) for printing and indexing.
public final class NumericArray {
    /// The elements, row-major for a matrix.
    public var storage: [Double]
    /// `[n]` for a vector, `[rows, columns]` for a matrix.
    public var shape: [Int]
    /// Elements are integers (`Vector{Int64}`).
    public var isInteger: Bool
    /// Named blocks of a vector (a `ComponentVector`); nil for a plain array.
    public var axes: ComponentAxes?

    /// An array from its parts; `storage.count` must equal the product of `shape`.
    public init(_ storage: [Double], shape: [Int], isInteger: Bool = false, axes: ComponentAxes? = nil) {
        self.storage = storage
        self.shape = shape
        self.isInteger = isInteger
        self.axes = axes
    }

    /// A vector of doubles.
    public convenience init(vector: [Double]) { self.init(vector, shape: [vector.count]) }

    /// Rows (the length for a vector).
    public var rows: Int { shape.first ?? 0 }
    /// Columns (1 for a vector).
    public var columns: Int { shape.count == 2 ? shape[1] : 1 }
    /// Whether this is a matrix.
    public var isMatrix: Bool { shape.count == 2 }

    /// Element `i` (0-based, row-major) as a language value.
    func element(_ i: Int) -> Value { isInteger ? .int(Int(storage[i])) : .float(storage[i]) }

    /// A copy that shares nothing with `self`.
    func copy() -> NumericArray { NumericArray(storage, shape: shape, isInteger: isInteger, axes: axes) }
}

/// A vector of arbitrary values (Julia's `Vector{Any}`), a reference as arrays are.
public final class ValueList {
    /// The elements.
    public var items: [Value]
    /// A list from its elements.
    public init(_ items: [Value]) { self.items = items }
}

/// A lazy arithmetic sequence: `start`, `start + step`, ..., `count` elements.
public struct RangeValue: Sendable, Equatable {
    /// The first element.
    public var start: Double
    /// The difference between neighbours.
    public var step: Double
    /// Number of elements (0 for an empty range).
    public var count: Int
    /// `1:3` rather than `1.0:1.0:3.0`.
    public var isInteger: Bool
    /// The last element, exact for `range(a, b, length=n)`.
    public var last: Double
    /// Exact rational elements of a float range, as Julia's (RangeValue+Rational.swift); nil when
    /// its ends have no small rational form, and then `start + i * step`.
    public var rational: RationalSteps?

    /// `start:step:stop` with Julia's length rule (a tolerance for floating steps).
    public init(start: Double, step: Double, stop: Double, isInteger: Bool) {
        self.start = start
        self.step = step
        self.isInteger = isInteger
        var n = 0
        if step != 0, step.isFinite, start.isFinite, stop.isFinite {
            let ratio = (stop - start) / step
            n = ratio < 0 ? 0 : Int(min(Double(Int32.max), (ratio + (isInteger ? 0 : 1e-10)).rounded(.down))) + 1
        }
        self.count = n
        if !isInteger, let steps = RationalSteps.steps(start: start, step: step, stop: stop), steps.isExact(upTo: n) {
            self.rational = steps
        }
        self.last = rational?.element(max(n - 1, 0)) ?? start + Double(max(n - 1, 0)) * step
    }

    /// `range(start, stop, length=n)`.
    public init(start: Double, stop: Double, length: Int) {
        self.start = start
        self.count = max(length, 0)
        self.step = length > 1 ? (stop - start) / Double(length - 1) : 0
        self.isInteger = false
        self.last = length == 1 ? start : stop
        self.rational = RationalSteps.linspace(start: start, stop: stop, length: length)
    }

    /// Element `i`, 0-based.
    public func element(_ i: Int) -> Double {
        if i == count - 1 { return last }
        if let rational { return rational.element(i) }
        return start + Double(i) * step
    }

    /// Element `i` as a language value.
    func value(_ i: Int) -> Value { isInteger ? .int(Int(element(i))) : .float(element(i)) }

    /// The elements as an array.
    var elements: [Double] { (0..<count).map(element) }
}

/// A callable: the methods of a user function (one per arity, as Julia dispatches on the
/// number of arguments here), or a builtin implemented in Swift.
public final class FunctionValue {
    /// One user-written method and the scope it closes over.
    struct Method {
        var definition: FunctionDefinition
        var environment: Environment
    }

    /// The name used in messages (`#anonymous` for `x -> ...`).
    public let name: String
    /// User methods; empty for a builtin.
    var methods: [Method]
    /// The Swift implementation of a builtin.
    let builtin: Builtin?

    init(name: String, methods: [Method]) {
        self.name = name
        self.methods = methods
        self.builtin = nil
    }

    init(builtin: Builtin) {
        self.name = builtin.name
        self.methods = []
        self.builtin = builtin
    }
}
