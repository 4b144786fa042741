#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-call timing of a benchmarked body, in the anchors' shape.
///
/// `median`, `min` and `max` are seconds per call of the measured body; a sample is one
/// batch of `callsPerSample` calls.
struct Timing: Sendable {
    var medianSeconds: Double
    var minSeconds: Double
    var maxSeconds: Double
    var samples: Int
    var callsPerSample: Int

    /// The fields of the anchors' `bench()` dictionary, in its order:
    /// `median_s`, `min_s`, `max_s`, `samples`, `calls_per_sample`.
    var jsonFields: [(String, JSONValue)] {
        [
            ("median_s", .double(medianSeconds)),
            ("min_s", .double(minSeconds)),
            ("max_s", .double(maxSeconds)),
            ("samples", .int(samples)),
            ("calls_per_sample", .int(callsPerSample)),
        ]
    }

    /// The same timing for `count` calls made per measured body: every time divided by
    /// `count`, the batch size multiplied by it.
    func perCall(of count: Int) -> Timing {
        let n = Double(count)
        return Timing(medianSeconds: medianSeconds / n, minSeconds: minSeconds / n,
                      maxSeconds: maxSeconds / n, samples: samples,
                      callsPerSample: callsPerSample * count)
    }
}

/// The policy of `bench()` in shared/anchors/common.py, with its defaults.
struct TimingPolicy: Sendable {
    var warmup = 2
    var minSamples = 7
    var maxSamples = 200
    var minTime = 1.0
    var maxTime = 20.0
    var targetSampleSeconds = 2e-3
}

/// Nanoseconds on the monotonic clock (CLOCK_MONOTONIC; unaffected by wall-clock changes).
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

@inline(__always)
func seconds(from start: UInt64, to end: UInt64) -> Double {
    Double(end &- start) * 1e-9
}

/// Times `body` exactly as the anchors' `bench()` does, so ratios compare like with like.
///
/// 1. `warmup` (2) calls, untimed.
/// 2. One timed call `t1`; the batch size is `k = max(1, Int(target / max(t1, 1e-9)))`, so a
///    sample lasts about `targetSampleSeconds` (2 ms).
/// 3. Samples of `k` calls each, until at least `minSamples` (7) samples and `minTime`
///    (1 s) have passed, or `maxSamples` (200) samples or more than `maxTime` (20 s).
/// 4. Per-call median (the mean of the two middle samples for an even count, as Python's
///    `statistics.median`), min and max.
func measure(policy: TimingPolicy = TimingPolicy(), _ body: () -> Void) -> Timing {
    for _ in 0..<policy.warmup {
        body()
    }
    let t0 = monotonicNanoseconds()
    body()
    let t1 = seconds(from: t0, to: monotonicNanoseconds())
    let k = max(1, Int(policy.targetSampleSeconds / max(t1, 1e-9)))

    var samples: [Double] = []
    samples.reserveCapacity(policy.maxSamples)
    let start = monotonicNanoseconds()
    while true {
        let a = monotonicNanoseconds()
        for _ in 0..<k {
            body()
        }
        let b = monotonicNanoseconds()
        samples.append(seconds(from: a, to: b) / Double(k))
        let elapsed = seconds(from: start, to: b)
        if samples.count >= policy.maxSamples || elapsed > policy.maxTime {
            break
        }
        if samples.count >= policy.minSamples && elapsed >= policy.minTime {
            break
        }
    }
    let sorted = samples.sorted()
    let mid = sorted.count / 2
    let median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    return Timing(medianSeconds: median, minSeconds: sorted[0], maxSeconds: sorted[sorted.count - 1],
                  samples: sorted.count, callsPerSample: k)
}
