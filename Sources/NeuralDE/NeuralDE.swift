// NeuralDE: universal differential equations, the layer DiffEqFlux.jl users know.
//
// What this module will contain (shared/DESIGN.md, "Layout"):
// - NeuralODE, NeuralSDE, NeuralDDE and NeuralDAE: a network (NeuralNets) as all or part
//   of a right-hand side, solved by DiffEq and differentiated by Sensitivity;
// - augmented neural ODEs, Hamiltonian neural networks, FFJORD (continuous normalising
//   flows, whose trace term is the VJP of a JVP in one Autodiff graph);
// - training strategies for long horizons: multiple shooting and collocation;
// - glue to Optimizers, so a model, a loss and an optimiser make one training job.
//
// It depends on NeuralNets, Sensitivity and Optimizers.
