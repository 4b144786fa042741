// COpenBLAS: LAPACK's LU factorisation from OpenBLAS (Debian's libopenblas-dev, installed by
// `make deps`) for LinearSolve's large dense systems. OpenBLAS exports the Fortran LAPACK
// symbols; they are declared here rather than through lapacke.h, which Debian ships in a
// separate package.
#ifndef FLUXION_COPENBLAS_SHIM_H
#define FLUXION_COPENBLAS_SHIM_H

// LU with partial pivoting of the m×n column-major matrix a (leading dimension lda); ipiv
// gets the 1-based row interchanges; info > 0 names a zero pivot U(info, info).
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);

// OpenBLAS's worker threads: one, so a factorisation does not compete with the caller's
// own threads (ensembles, the workbench's evaluation and training threads).
void openblas_set_num_threads(int num_threads);

#endif
