// swift-tools-version:6.1
// Benchmarks live in their own package so `swift build` / `swift test` of SeqRec never
// compile them. Run: scripts/bench (or `swift run -c release --package-path Benchmarks seqrec-bench`).
import PackageDescription

let package = Package(
    name: "SeqRecBenchmarks",
    dependencies: [.package(name: "SeqRec", path: "..")],
    targets: [
        // Timing helpers shared by the benchmark executables (median of sorted runs, formatting).
        .target(name: "BenchSupport", dependencies: [.product(name: "SeqRecCore", package: "SeqRec")]),
        .executableTarget(
            name: "seqrec-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "SeqRecCore", package: "SeqRec"),
                .product(name: "SeqRecTensor", package: "SeqRec"),
                .product(name: "SeqRecNN", package: "SeqRec"),
            ]),
        .executableTarget(
            name: "seqrec-data-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "SeqRecCore", package: "SeqRec"),
                .product(name: "SeqRecData", package: "SeqRec"),
                .product(name: "SeqRecEval", package: "SeqRec"),
                .product(name: "SeqRecTensor", package: "SeqRec"),
            ]),
        .executableTarget(
            name: "seqrec-model-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "SeqRecCore", package: "SeqRec"),
                .product(name: "SeqRecData", package: "SeqRec"),
                .product(name: "SeqRecEval", package: "SeqRec"),
                .product(name: "SeqRecNN", package: "SeqRec"),
                .product(name: "SeqRecTensor", package: "SeqRec"),
                .product(name: "SeqRecObjectives", package: "SeqRec"),
                .product(name: "SeqRecModels", package: "SeqRec"),
            ]),
        .executableTarget(
            name: "seqrec-scoring-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "SeqRecCore", package: "SeqRec"),
                .product(name: "SeqRecData", package: "SeqRec"),
                .product(name: "SeqRecModels", package: "SeqRec"),
                .product(name: "SeqRecScoring", package: "SeqRec"),
            ]),
    ],
    swiftLanguageModes: [.v5]
)
