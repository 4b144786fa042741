// Sensitivity: derivatives of solutions with respect to parameters and initial values.
//
// What this module will contain (shared/DESIGN.md, "Layout" and "Flow of data"):
// - forward sensitivities (the state augmented with its tangents);
// - adjoint methods: backsolve, interpolating (reusing the forward dense output),
//   quadrature, and discrete adjoints through the steps actually taken;
// - checkpointing, trading memory for recomputation on long solves;
// - the VJP rule of `solve`: the Tape primitive through which a loss on a solution
//   reaches its parameters, selected by `sensealg` as in DiffEqFlux.jl
//   (InterpolatingAdjoint, QuadratureAdjoint, BacksolveAdjoint, ...).
//
// It joins DiffEq (the solvers) with Autodiff (the vector-Jacobian products of the
// right-hand side, compiled from traced graphs).
