import LinearSolve

// `dense_lu_crossover`: DenseLU's factorisation of a random diagonally dominant n×n matrix by
// the Swift kernels (recursive from n = 24) and by OpenBLAS's dgetrf (one thread), for n from
// 16 to 512: where `DenseLU.lapackThreshold` comes from.

func runDenseLUCrossover() throws -> [JSONValue] {
    var results: [JSONValue] = []
    var generator = SplitMix64(seed: 7)
    for n in [16, 32, 48, 64, 96, 128, 192, 256, 384, 512] {
        let values = (0..<(n * n)).map { k -> Double in
            let v = Double(generator.next() % 1_000_000) / 1_000_000 - 0.5
            return k % (n + 1) == 0 ? v + Double(n) : v
        }
        let lu = DenseLU(dimension: n)
        var times: [Double] = []
        for lapack in [false, true] {
            DenseLU.lapackThreshold = lapack ? 0 : Int.max
            var policy = TimingPolicy()
            policy.maxTime = 3
            let timing = measure(policy: policy) {
                lu.withUnsafeMutableMatrix { w in for k in 0..<(n * n) { w[k] = values[k] } }
                lu.factor()
            }
            times.append(timing.medianSeconds)
        }
        DenseLU.lapackThreshold = DenseLU.defaultLAPACKThreshold
        results.append(.object([
            ("n", .int(n)), ("swift_s", .double(times[0])), ("openblas_s", .double(times[1])),
            ("swift_over_openblas", .double(times[0] / times[1])),
            ("chosen", .string(n >= DenseLU.defaultLAPACKThreshold ? "openblas" : "swift")),
        ]))
    }
    return results
}
