import Foundation
import SeqRecCore

/// The result file of one training run (`result.json`), what the experiment harness reads:
/// the resolved config, the data it ran on, where and how it ran, the training history, and
/// the test metrics with their per-user vectors (for paired significance tests).
public struct RunResult: Sendable, Codable {
    public var config: RunConfig
    public var dataset: String
    public var fingerprint: String
    public var environment: RunEnvironment
    public var splitProtocol: String
    public var evaluationProtocol: String
    public var training: TrainingReport
    /// Mean test metrics (`ndcg@10`, `recall@1`, `recall@10`, …).
    public var test: [String: Double]
    /// Per test case, in `testUsers` order.
    public var testPerUser: [String: [Double]]
    public var testUsers: [Int]
    /// Parameter, codebook and checkpoint-file bytes (absent in results written before it existed).
    public var modelSize: ModelSize?

    public init(config: RunConfig, dataset: String, fingerprint: String, environment: RunEnvironment, splitProtocol: String,
                evaluationProtocol: String, training: TrainingReport, test: [String: Double],
                testPerUser: [String: [Double]], testUsers: [Int], modelSize: ModelSize? = nil) {
        self.config = config
        self.dataset = dataset
        self.fingerprint = fingerprint
        self.environment = environment
        self.splitProtocol = splitProtocol
        self.evaluationProtocol = evaluationProtocol
        self.training = training
        self.test = test
        self.testPerUser = testPerUser
        self.testUsers = testUsers
        self.modelSize = modelSize
    }

    /// Writes the result atomically as pretty, key-sorted JSON.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: path)
    }

    public static func read(path: String) throws -> RunResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError(file: path, "result file cannot be read")
        }
        return try JSONDecoder().decode(RunResult.self, from: data)
    }
}
