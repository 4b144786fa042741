// CKLU: SuiteSparse KLU (sparse LU for circuit-like and ODE Jacobian matrices) for Swift.
//
// Debian and Ubuntu ship the header as <suitesparse/klu.h> (package libsuitesparse-dev,
// installed by `make deps`); libklu.so pulls in AMD, COLAMD, BTF and SuiteSparse_config
// through its own DT_NEEDED entries, so the module map links klu alone.
#ifndef FLUXION_CKLU_SHIM_H
#define FLUXION_CKLU_SHIM_H

#include <suitesparse/klu.h>

#endif
