import Autodiff

// The `rhs_lv` and `rhs_spiral` cases: one compiled right-hand-side call and its VJP,
// beside the same arithmetic hand-written in Swift (Native.swift), over the same inputs.

/// Lotka–Volterra traced from Swift, as a user writes it.
func lotkaVolterraGraph() throws -> Graph {
    try trace(.vector(2), .vector(4)) { u, p, t in
        [p[0] * u[0] - p[1] * u[0] * u[1], -p[2] * u[1] + p[3] * u[0] * u[1]]
    }
}

/// The spiral network 2 → 50 (tanh) → 2 on u.^3, weights as views of one parameter vector.
func spiralGraph() throws -> Graph {
    try trace([GraphInput("u", .vector(2)), GraphInput("p", .vector(SpiralLayout.count)), GraphInput("t", .scalar)]) { x in
        let (u, p) = (x[0], x[1])
        let W1 = p[SpiralLayout.w1..<SpiralLayout.b1].reshaped(.matrix(50, 2)), b1 = p[SpiralLayout.b1..<SpiralLayout.w2]
        let W2 = p[SpiralLayout.w2..<SpiralLayout.b2].reshaped(.matrix(2, 50)), b2 = p[SpiralLayout.b2..<SpiralLayout.count]
        return W2 * tanh(W1 * pow(u, 3.0) + b1) + b2
    }
}

/// Times the compiled call and the compiled VJP (with respect to u and p) of `graph`.
func measureCompiled(_ graph: Graph, _ fx: RHSFixture) throws -> (call: PerCallMeasurement, vjp: PerCallMeasurement, instructions: Int) {
    let f = try graph.compile()
    let back = try graph.vjp(wrt: [0, 1]).compile()
    let ws = f.makeWorkspace(), wsBack = back.makeWorkspace()
    var t = 0.0
    let p = UnsafePointer(fx.p)
    let call = withUnsafePointer(to: &t) { tp in
        measurePerCall { i in f.run(ws, fx.input(i), p, tp, into: fx.output(i)) }
    }
    wsBack.bind(input: 1, p)
    wsBack.bind(output: 0, fx.vjpU)
    wsBack.bind(output: 1, fx.vjpP)
    let vjp = withUnsafePointer(to: &t) { tp in
        wsBack.bind(input: 2, tp)
        return measurePerCall { i in
            wsBack.bind(input: 0, fx.input(i))
            wsBack.bind(input: 3, fx.cotangent(i))
            back.run(wsBack)
        }
    }
    return (call, vjp, f.instructionCount)
}

func rhsCase(method: String, graph: Graph, fixture fx: RHSFixture,
             native: PerCallMeasurement, nativeVJP: PerCallMeasurement, extra: [(String, JSONValue)]) throws -> [JSONValue] {
    let c = try measureCompiled(graph, fx)
    return [rhsResult(method: method, variant: "swift-api", call: c.call, vjp: c.vjp, extra: [
        ("native_ns_per_call", .double(native.nsPerCall)),
        ("native_vjp_ns_per_call", .double(nativeVJP.nsPerCall)),
        ("vjp_allocs_per_call", c.vjp.allocationsPerCall.map(JSONValue.count) ?? .null),
        ("call_vs_native", .double(c.call.nsPerCall / native.nsPerCall)),
        ("vjp_vs_call", .double(c.vjp.nsPerCall / c.call.nsPerCall)),
        ("instructions", .int(c.instructions)),
    ] + extra)]
}

func runRHSLV() throws -> [JSONValue] {
    let fx = RHSFixture.lotkaVolterra()
    return try rhsCase(method: "lv", graph: lotkaVolterraGraph(), fixture: fx,
                       native: measureNativeLV(fx), nativeVJP: measureNativeLVVJP(fx), extra: [])
}

/// The natives use the same vectorised tanh as compiled programs (the fair comparison);
/// the glibc-tanh natives are reported beside them.
func runRHSSpiral() throws -> [JSONValue] {
    let fx = RHSFixture.spiral(parameters: try AnchorData.locate().spiralParameters(.fitted))
    let libm = measureNativeSpiral(fx), libmVJP = measureNativeSpiralVJP(fx)
    return try rhsCase(method: "spiral", graph: spiralGraph(), fixture: fx,
                       native: measureNativeSpiral(fx, fastTanh: true),
                       nativeVJP: measureNativeSpiralVJP(fx, fastTanh: true),
                       extra: [("params", .string("fitted")),
                               ("native_libm_tanh_ns_per_call", .double(libm.nsPerCall)),
                               ("native_libm_tanh_vjp_ns_per_call", .double(libmVJP.nsPerCall))])
}
