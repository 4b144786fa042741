// Entry point of the `fluxion` executable. The command line lives in FluxionCommand.swift.
FluxionCommand.main()
