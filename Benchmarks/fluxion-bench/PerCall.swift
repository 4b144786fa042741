/// Timing and allocations of one call of a short body, measured in batches.
struct PerCallMeasurement: Sendable {
    /// Seconds per call (`callsPerSample` counts calls, not batches).
    let timing: Timing
    /// Heap allocations per call over one batch after warm-up; nil when allocation
    /// counting does not work in this process (see `allocationCountingWorks`).
    let allocationsPerCall: Double?

    /// The median time of one call, in nanoseconds.
    var nsPerCall: Double { timing.medianSeconds * 1e9 }

    /// The timing fields, then `ns_per_call` and `allocs_per_call`.
    var jsonFields: [(String, JSONValue)] {
        timing.jsonFields + [
            ("ns_per_call", .double(nsPerCall)),
            ("allocs_per_call", allocationsPerCall.map(JSONValue.count) ?? .null),
        ]
    }
}

extension JSONValue {
    /// A count that may be fractional (allocations per call): an integer when it is one.
    static func count(_ value: Double) -> JSONValue {
        if value.isFinite, value == value.rounded(), abs(value) < 9.0e15 {
            return .int(Int(value))
        }
        return .double(value)
    }
}

/// Measures a call too short to time alone: `body(i)` runs `calls` times as one batch,
/// the batch is timed by `measure` (the anchors' policy) and divided by `calls`.
///
/// `i` is the call index (0, 1, 2, ... counted across batches), for cycling through
/// varying inputs (`RHSFixture.pointIndex(i)`), so that the optimiser cannot hoist work
/// out of the loop. Always inlined, so that the body closure is inlined into the batch
/// loop and the only call left per iteration is the one being measured (keep that one
/// behind `@inline(never)`, or an opaque call such as a compiled Program's).
@inline(__always)
func measurePerCall(calls: Int = 1000, _ body: (Int) -> Void) -> PerCallMeasurement {
    // The index runs on across batches, so successive batches cycle through all the
    // fixture's points rather than repeating the first `calls` of them.
    var next = 0
    let batch = measure {
        for _ in 0..<calls {
            body(next)
            next &+= 1
        }
    }
    let counted = allocations {
        for _ in 0..<calls {
            body(next)
            next &+= 1
        }
    }
    return PerCallMeasurement(
        timing: batch.perCall(of: calls),
        allocationsPerCall: allocationCountingWorks ? Double(counted) / Double(calls) : nil)
}
