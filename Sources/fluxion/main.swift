// Entry point of the `fluxion` executable. The command line lives in FluxionCommand.swift.
import Lang

SessionFile.fluxionVersion = FluxionVersion.number
FluxionCommand.main()
