import Foundation

/// Elementary functions for array kernels.
enum FastMath {
    @inline(__always)
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
}
