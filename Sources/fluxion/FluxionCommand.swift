import ArgumentParser

/// The `fluxion` command line.
///
/// Today it answers `--help` and `--version`, and without arguments prints what Fluxion
/// is and what this build contains. The interactive workbench (a readline prompt for the
/// Fluxion language, with live plots in a curses screen) takes over the no-argument case
/// when the Workbench module lands.
struct FluxionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxion",
        abstract: "Universal differential equations in Swift.",
        discussion: """
            Fluxion fits differential equations whose unknown parts are neural networks \
            (universal differential equations) to data, by gradient-based training, in the \
            spirit of Julia's DiffEqFlux.jl.

            This build holds the foundation: the differentiable IR (Autodiff). The solvers, \
            sensitivities, the Fluxion language and the interactive workbench come next; \
            until the workbench arrives, running `fluxion` with no arguments prints a short \
            banner and exits.
            """,
        version: "fluxion \(FluxionVersion.number)"
    )

    func run() throws {
        print(FluxionCommand.banner)
    }

    /// What `fluxion` prints with no arguments until the workbench exists.
    static let banner = """
        Fluxion \(FluxionVersion.number): universal differential equations in Swift
        (neural networks inside differential equations, trained on data; the Swift answer
        to Julia's DiffEqFlux.jl).

        This build contains the foundation only: the differentiable IR. The interactive
        workbench (a Julia-flavoured language at a readline prompt, with live plots of
        trajectories and the loss) arrives with the workbench issue.

        Try `fluxion --help`.
        """
}
