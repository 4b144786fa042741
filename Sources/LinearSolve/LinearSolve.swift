// LinearSolve: the linear algebra under Fluxion's implicit solvers.
//
// What this module will contain (shared/DESIGN.md, "Layout"):
// - dense LU with partial pivoting, and banded LU for method-of-lines problems;
// - sparse LU through SuiteSparse KLU, with the symbolic analysis reused across
//   numeric refactorisations of the same sparsity pattern;
// - GMRES for Jacobian-free Newton-Krylov;
// - factorisation reuse: a factorised matrix is kept while the step size and the
//   Jacobian stay close enough that the Newton iteration still converges;
// - BLAS (OpenBLAS) above a size threshold; small systems stay in plain Swift loops.
//
// Contract for everything here: Float64, contiguous column-major storage in
// preallocated workspaces, no heap allocation inside a solve, and failures (a singular
// matrix, a Krylov method that does not converge) returned as values, never crashes.
// It depends on nothing else in Fluxion; DiffEq builds on it.
