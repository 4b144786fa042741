// DiffEq: problems, algorithms and the integrator loop.
//
// What this module will contain (shared/DESIGN.md, "Layout" and "Flow of data"):
// - problem types (ODE, SDE, DDE, DAE with a mass matrix) and an `ODEFunction`-like value
//   holding `f` and optional derivative closures: `jac`, `jvp`, `vjp`, `paramJacobian`,
//   a sparsity pattern and a mass matrix; whatever is missing is replaced by finite
//   differences, and the solution's stats say so;
// - algorithms as data: explicit Runge-Kutta tableaux (Tsit5, DP5, ...) that check their
//   own identities when built, one stepping routine per family, Rosenbrock and SDIRK
//   methods (Rodas5P, Kvaerno, ...) on top of LinearSolve, Euler-Maruyama for SDEs;
// - the integrator loop split into named phases: step, adapt (PI step-size control),
//   save (saveat, dense output), events and callbacks;
// - solutions carrying t, u, a dense interpolant, stats and a return code (success,
//   maxIters, dtLessThanMin, unstable, convergenceFailure, initialFailure, terminated);
// - ensembles that share one function across threads, each with its own workspace.
//
// Invariants: Float64, state in contiguous buffers, no heap allocation inside a step
// (workspaces are allocated when a solve starts). DiffEq knows nothing of Autodiff,
// networks or the language; it depends only on LinearSolve.
