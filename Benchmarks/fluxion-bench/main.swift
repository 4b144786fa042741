#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// fluxion-bench: runs benchmark cases and prints one JSON line per case on stdout.
//
//   fluxion-bench               every case, in registry order
//   fluxion-bench NAME [NAME..] the named cases
//   fluxion-bench --list        the known cases
//
// Unknown names print the known cases to stderr and exit 2. A case that fails prints
// its error to stderr; the others still run, and the exit status is 1.

func printCaseList() {
    for c in benchmarkCases {
        emitError("  \(c.name)  \(c.summary)")
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--first-loss"] {
    printTimeToFirstLoss()
    exit(0)
}
if arguments.contains("--help") || arguments.contains("-h") {
    emitError("usage: fluxion-bench [--list] [CASE ...]   (no CASE: run every case)")
    emitError("cases:")
    printCaseList()
    exit(0)
}
if arguments.contains("--list") {
    for c in benchmarkCases {
        print(c.name)
    }
    exit(0)
}

let unknown = arguments.filter { benchmarkCase(named: $0) == nil }
if !unknown.isEmpty {
    emitError("fluxion-bench: unknown case\(unknown.count > 1 ? "s" : ""): \(unknown.joined(separator: ", "))")
    emitError("known cases:")
    printCaseList()
    exit(2)
}

if !allocationCountingWorks {
    emitError("fluxion-bench: warning: heap allocations cannot be counted in this process; allocs_* fields are null")
}

let selected = arguments.isEmpty ? benchmarkCases : arguments.compactMap(benchmarkCase(named:))
var failed = false
for c in selected {
    do {
        emitLine(caseLine(name: c.name, results: try c.run()))
    } catch {
        emitError("fluxion-bench: case \(c.name) failed: \(error)")
        failed = true
    }
}
exit(failed ? 1 : 0)
