// Lang: the Fluxion language, a small Julia-flavoured language for the workbench.
//
// What this module will contain (shared/DESIGN.md and shared/LANGUAGE.md):
// - lexer, parser (with error recovery), AST and interpreter as separate phases, every
//   error reported in one place with line:column and a caret;
// - values (numbers, arrays, functions, problems, solutions, plots, ...) and builtins
//   held in a name-to-function table that binds the engine under SciML names
//   (ODEProblem, solve, Tsit5, Rodas5P, NeuralODE, Chain, Dense, Adam, LBFGS, ...);
// - tracing: a function used as a right-hand side or a network is traced once per shape
//   into an Autodiff graph and compiled;
// - help texts for `?name` and apropos-style search.
//
// `plot(...)` returns a plot value: Lang knows nothing of the screen. It depends on
// NeuralDE and TextPlots.
