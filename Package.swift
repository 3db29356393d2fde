// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SeqRec",
    products: [
        .executable(name: "seqrec", targets: ["seqrec"]),
        .library(name: "SeqRecCore", targets: ["SeqRecCore"]),
        .library(name: "SeqRecTensor", targets: ["SeqRecTensor"]),
        .library(name: "SeqRecNN", targets: ["SeqRecNN"]),
        .library(name: "SeqRecData", targets: ["SeqRecData"]),
        .library(name: "SeqRecEval", targets: ["SeqRecEval"]),
        .library(name: "SeqRecBaselines", targets: ["SeqRecBaselines"]),
        .library(name: "SeqRecScoring", targets: ["SeqRecScoring"]),
        .library(name: "SeqRecCompression", targets: ["SeqRecCompression"]),
        .library(name: "SeqRecObjectives", targets: ["SeqRecObjectives"]),
        .library(name: "SeqRecModels", targets: ["SeqRecModels"]),
        .library(name: "SeqRecHarness", targets: ["SeqRecHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - Implementation details
        .systemLibrary(name: "CBLASShim", path: "CBLASShim", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),

        // Hot loops in C (dropout hash, LayerNorm, losses, PQ scan, numeric row parsing), some cloned for AVX2/AVX-512.
        .target(name: "CSeqRecKernels"),

        // MARK: - Public modules (dependencies point one way: Core <- Tensor <- NN)
        .target(name: "SeqRecCore", dependencies: ["CSeqRecKernels"]),
        .target(name: "SeqRecTensor", dependencies: ["SeqRecCore", "CBLASShim", "CSeqRecKernels"], exclude: ["README.md"]),
        .target(name: "SeqRecNN", dependencies: ["SeqRecCore", "SeqRecTensor", "CSeqRecKernels"]),
        // Data and evaluation use no tensors: Core <- Data <- Eval (Data's numeric row scan is C).
        .target(name: "SeqRecData", dependencies: ["SeqRecCore", "CSeqRecKernels"]),
        .target(name: "SeqRecEval", dependencies: ["SeqRecCore", "SeqRecData"], exclude: ["README.md"]),
        // Training losses (BCE, gBCE, softmax, sampled softmax), each declaring what it needs.
        .target(name: "SeqRecObjectives", dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecData"]),
        // Sequential models (SASRec so far; dense or RecJPQ item embeddings), their objectives and evaluation adapters.
        .target(name: "SeqRecModels", dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecNN", "SeqRecData", "SeqRecEval",
                                                     "SeqRecObjectives", "SeqRecCompression"]),
        // Exact top-K item scoring: dense, RecJPQ, PQTopK, RecJPQPrune.
        .target(name: "SeqRecScoring", dependencies: ["SeqRecCore", "SeqRecTensor", "CSeqRecKernels"]),
        // RecJPQ: codebooks, assignment strategies, the sub-item embedding layer.
        .target(name: "SeqRecCompression", dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecNN", "SeqRecData",
                                                          "SeqRecScoring", "SeqRecBaselines"]),
        // Classic baselines (Popularity, MF-BPR, the Markov-chain teacher).
        .target(name: "SeqRecBaselines", dependencies: ["SeqRecCore", "SeqRecData", "SeqRecEval"]),

        // Experiment harness: declarative specs, cached resumable cells, tables and SVG figures.
        .target(name: "SeqRecHarness", dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecData", "SeqRecEval", "SeqRecBaselines",
                                                      "SeqRecModels", "SeqRecObjectives", "SeqRecScoring", "SeqRecCompression"]),

        // MARK: - Executables
        .target(name: "SeqRecCLI", dependencies: [
            "SeqRecCore", "SeqRecData", "SeqRecEval", "SeqRecBaselines", "SeqRecTensor", "SeqRecObjectives", "SeqRecModels", "SeqRecHarness",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "seqrec", dependencies: ["SeqRecCLI"]),

        // MARK: - Test support (not a product)
        .target(name: "SeqRecTestSupport", dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecNN"]),

        // MARK: - Tests
        .testTarget(name: "SeqRecTensorTests",
                    dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecTestSupport", "CSeqRecKernels"]),
        .testTarget(name: "SeqRecDataTests", dependencies: ["SeqRecCore", "SeqRecData", "CSeqRecKernels"]),
        .testTarget(name: "SeqRecEvalTests", dependencies: ["SeqRecCore", "SeqRecData", "SeqRecEval"]),
        .testTarget(name: "SeqRecBaselinesTests", dependencies: ["SeqRecCore", "SeqRecData", "SeqRecEval", "SeqRecBaselines"]),
        .testTarget(name: "SeqRecScoringTests", dependencies: ["SeqRecCore", "SeqRecScoring"]),
        .testTarget(name: "SeqRecCompressionTests", dependencies: [
            "SeqRecCore", "SeqRecTensor", "SeqRecNN", "SeqRecData", "SeqRecScoring", "SeqRecCompression", "SeqRecTestSupport"]),
        .testTarget(name: "SeqRecObjectivesTests", dependencies: [
            "SeqRecCore", "SeqRecTensor", "SeqRecNN", "SeqRecObjectives", "SeqRecTestSupport"]),
        .testTarget(name: "SeqRecModelsTests", dependencies: [
            "SeqRecCore", "SeqRecTensor", "SeqRecNN", "SeqRecData", "SeqRecEval", "SeqRecObjectives", "SeqRecModels",
            "SeqRecBaselines", "SeqRecCompression", "SeqRecScoring"]),
        // Seeded mutation fuzzing of every parser (data formats, configs, checkpoints), in-process.
        .testTarget(name: "SeqRecFuzzTests", dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecData", "SeqRecModels", "SeqRecHarness"]),
        .testTarget(name: "SeqRecCLITests", dependencies: ["SeqRecCLI", "SeqRecData", "SeqRecModels", "SeqRecTensor"]),
        .testTarget(name: "SeqRecHarnessTests", dependencies: ["SeqRecCore", "SeqRecHarness"]),
        .testTarget(name: "SeqRecNNTests",
                    dependencies: ["SeqRecCore", "SeqRecTensor", "SeqRecNN", "SeqRecTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
