// swift-tools-version: 6.1
// Fluxion: universal differential equations in Swift. Module layout and dependency
// direction follow shared/DESIGN.md; every arrow there is a `dependencies:` entry here.
import PackageDescription

/// Release builds of the numeric core skip exclusivity checks: hot loops run on
/// preallocated pointers, and the checks cost 1.4x on any class-stored buffer (notes/swift-perf.md).
/// They are also built for the machine they run on, as the C reference is (`-march=native`):
/// vectorised tanh is 4x faster with AVX2 than with the SSE2 baseline.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-target-cpu", "native"], .when(configuration: .release)),
]

let package = Package(
    name: "Fluxion",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fluxion", targets: ["fluxion"]),
        .executable(name: "fluxion-bench", targets: ["fluxion-bench"]),
        .executable(name: "fluxion-examples", targets: ["fluxion-examples"]),
        .library(name: "Fluxion", targets: ["Autodiff", "DiffEq", "Sensitivity", "NeuralNets",
                                            "Optimizers", "NeuralDE", "TextPlots", "Lang"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // RFC 4180 reading and writing for `readcsv`/`readdlm`/`writecsv`/`writedlm`.
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
    ],
    targets: [
        // System libraries for the workbench (installed by `make deps`).
        .systemLibrary(name: "CCurses", path: "Sources/CCurses"),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        // SuiteSparse KLU for LinearSolve's sparse LU (libsuitesparse-dev, installed by `make deps`).
        .systemLibrary(name: "CKLU", path: "Sources/CKLU",
                       providers: [.apt(["libsuitesparse-dev"]), .brew(["suite-sparse"])]),
        // LAPACK's dgetrf from OpenBLAS for large dense LU (libopenblas-dev, installed by `make deps`).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS",
                       providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        // A thread-local malloc counter: linked only into benchmarks and tests, where it
        // interposes malloc/calloc/realloc/posix_memalign to count heap allocations.
        .target(name: "CAllocCounter", path: "Sources/CAllocCounter"),

        .target(name: "Autodiff", swiftSettings: numericSettings),
        .target(name: "LinearSolve", dependencies: ["CKLU", "COpenBLAS"], swiftSettings: numericSettings),
        .target(name: "TextPlots"),
        .target(name: "NeuralNets", dependencies: ["Autodiff"], swiftSettings: numericSettings),
        .target(name: "DiffEq", dependencies: ["LinearSolve"], swiftSettings: numericSettings),
        .target(name: "Sensitivity", dependencies: ["DiffEq", "Autodiff"], swiftSettings: numericSettings),
        .target(name: "Optimizers", swiftSettings: numericSettings),
        .target(name: "NeuralDE", dependencies: ["NeuralNets", "Sensitivity", "Optimizers"],
                swiftSettings: numericSettings),
        .target(name: "Lang", dependencies: ["NeuralDE", "TextPlots", .product(name: "CSV", package: "CSV.swift")]),
        .target(name: "Workbench", dependencies: ["Lang", "TextPlots", "CCurses", "CReadline"]),
        .executableTarget(name: "fluxion", dependencies: [
            "Workbench", "Lang",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "fluxion-bench", dependencies: ["Autodiff", "DiffEq", "Sensitivity", "Optimizers", "CAllocCounter",
                                                                "Lang", "TextPlots", "Workbench", "TestSupport"],
                          path: "Benchmarks/fluxion-bench", swiftSettings: numericSettings),

        .executableTarget(name: "fluxion-examples", dependencies: ["NeuralDE", "NeuralNets", "Optimizers", "Sensitivity", "DiffEq", "Autodiff"],
                          path: "Examples/fluxion-examples", swiftSettings: numericSettings),

        // One gradient checker and allocation helpers shared by every test target.
        .target(name: "TestSupport", dependencies: ["Autodiff", "CAllocCounter"], path: "Tests/TestSupport"),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "TestSupport"]),
        .testTarget(name: "DiffEqTests", dependencies: ["DiffEq", "TestSupport"]),
        .testTarget(name: "LinearSolveTests", dependencies: ["LinearSolve", "TestSupport"]),
        .testTarget(name: "SensitivityTests", dependencies: ["Sensitivity", "DiffEq", "Autodiff", "TestSupport"]),
        .testTarget(name: "NeuralNetsTests", dependencies: ["NeuralNets", "Autodiff", "TestSupport"]),
        .testTarget(name: "NeuralDETests", dependencies: ["NeuralDE", "NeuralNets", "Sensitivity", "DiffEq", "Autodiff", "Optimizers", "TestSupport"]),
        .testTarget(name: "LangTests", dependencies: ["Lang", "DiffEq", "Autodiff", "Sensitivity"], exclude: ["Scripts"]),
        .testTarget(name: "TextPlotsTests", dependencies: ["TextPlots"], exclude: ["Snapshots"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Lang", "TextPlots"]),
        .testTarget(name: "OptimizersTests", dependencies: ["Optimizers", "TestSupport"]),
    ]
)
