// The `native_kernels` case, and the native measurements the `rhs_*` cases divide by.

/// Times `nativeLV`, one call per point of the fixture.
func measureNativeLV(_ fx: RHSFixture) -> PerCallMeasurement {
    let p = UnsafePointer(fx.p)
    return measurePerCall { i in
        nativeLV(fx.input(i), p, 0, fx.output(i))
    }
}

/// Times `nativeLVVJP`, one call per point and cotangent of the fixture.
func measureNativeLVVJP(_ fx: RHSFixture) -> PerCallMeasurement {
    let p = UnsafePointer(fx.p)
    return measurePerCall { i in
        nativeLVVJP(fx.input(i), p, 0, fx.cotangent(i), fx.vjpU, fx.vjpP)
    }
}

/// Times `nativeSpiral`, one call per point of the fixture.
func measureNativeSpiral(_ fx: RHSFixture, fastTanh: Bool = false) -> PerCallMeasurement {
    let p = UnsafePointer(fx.p)
    return measurePerCall { i in
        nativeSpiral(fx.input(i), p, 0, fx.output(i), fx.scratch, fastTanh: fastTanh)
    }
}

/// Times `nativeSpiralVJP`, one call per point and cotangent of the fixture.
func measureNativeSpiralVJP(_ fx: RHSFixture, fastTanh: Bool = false) -> PerCallMeasurement {
    let p = UnsafePointer(fx.p)
    return measurePerCall { i in
        nativeSpiralVJP(fx.input(i), p, 0, fx.cotangent(i), fx.vjpU, fx.vjpP, fx.scratch, fastTanh: fastTanh)
    }
}

/// One result entry: method, variant, the call's timing and allocations, then
/// `vjp_ns_per_call` when a VJP was measured.
func rhsResult(method: String, variant: String, call: PerCallMeasurement,
               vjp: PerCallMeasurement?, extra: [(String, JSONValue)] = []) -> JSONValue {
    var fields: [(String, JSONValue)] = [("method", .string(method)), ("variant", .string(variant))]
    fields += call.jsonFields
    if let vjp {
        fields.append(("vjp_ns_per_call", .double(vjp.nsPerCall)))
    }
    fields += extra
    return .object(fields)
}

/// `native_kernels`: the hand-written LV and spiral right-hand sides (fitted spiral
/// parameters), per call over 1024 varying points, and their hand-written VJPs.
func runNativeKernels() throws -> [JSONValue] {
    let spiralParameters = try AnchorData.locate().spiralParameters(.fitted)

    let lv = RHSFixture.lotkaVolterra()
    let lvCall = measureNativeLV(lv)
    let lvVJP = measureNativeLVVJP(lv)

    let spiral = RHSFixture.spiral(parameters: spiralParameters)
    let spiralCall = measureNativeSpiral(spiral)
    let spiralVJP = measureNativeSpiralVJP(spiral)

    return [
        rhsResult(method: "lv", variant: "native", call: lvCall, vjp: lvVJP),
        rhsResult(method: "spiral", variant: "native", call: spiralCall, vjp: spiralVJP,
                  extra: [("params", .string("fitted"))]),
    ]
}
