// NeuralNets: network layers that emit Autodiff IR.
//
// What this module will contain (shared/DESIGN.md, "Layout"):
// - layers (Dense, Chain, and the activations they use) that write their computation
//   into an Autodiff graph instead of evaluating it eagerly, so that a network inside a
//   right-hand side is compiled, differentiated and fused with the rest of the model;
// - initialisers (Glorot/Xavier uniform and normal, zeros, ...) driven by an explicit,
//   seedable random number generator;
// - a flat parameter layout: every network's parameters live in one contiguous Float64
//   vector with named, documented slices, matching the order the benchmarks' data files
//   use (e.g. W1, b1, W2, b2 for a two-layer Dense chain, row-major weights).
//
// It depends on Autodiff only.
