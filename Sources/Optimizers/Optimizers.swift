// Optimizers: gradient-based training.
//
// What this module will contain (shared/DESIGN.md, "Layout" and "Flow of data"):
// - first-order optimisers (Adam and friends) and quasi-Newton methods (BFGS, LBFGS)
//   with a line search;
// - the training loop: it runs as a job on a background thread, evaluates the loss and
//   its gradient, and after each iteration publishes a training event (iteration, loss,
//   parameter snapshot, gradient norm, solver stats, current prediction) into a
//   lock-protected mailbox for the workbench to draw from;
// - failure handling as values: a NaN loss stops or skips the step with a message, and
//   the best parameters seen so far are kept.
//
// It works on flat Float64 parameter vectors and closures, and depends on no other
// Fluxion module.
