import ArgumentParser
import Foundation
import SeqRecBaselines
import SeqRecCore
import SeqRecData
import SeqRecEval

/// `seqrec baselines`: evaluates Popularity, the Markov-chain teacher and MF-BPR with the
/// full-catalogue protocol, on a dataset or the embedded synthetic default.
public struct BaselinesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "baselines",
        abstract: "Evaluate the classic baselines (popularity, Markov chain, MF-BPR) on the test cases of a leave-one-out split.")

    @OptionGroup var data: DatasetOptions

    @Option(help: "MF-BPR latent factors (the thesis uses 128).")
    var factors = 128

    @Option(help: "MF-BPR epochs (one sampled triple per training interaction each).")
    var epochs = 20

    @Flag(help: "Disable the seen-item filter (on by default, for every model).")
    var noFilterSeen = false

    @Option(help: "Also write per-model metric means as JSON here (atomically).")
    var json: String?

    public init() {}

    public func run() throws { print(try render(), terminator: "") }

    public func render() throws -> String {
        let split = try data.split()
        let evaluator = Evaluator(metrics: [NDCG(k: 10), Recall(k: 1), Recall(k: 10), MRR()], filterSeen: !noFilterSeen)
        var rows: [(String, [String: Double])] = []
        let models: [(String, () throws -> any ItemScorer)] = [
            ("Popularity", { PopularityRecommender(split: split) }),
            ("MarkovChain(order 50, β 0.6)", { try MarkovChainRecommender(split: split) }),
            ("MF-BPR(\(factors))", { try MatrixFactorizationBPR(split: split, config: .init(factors: factors, epochs: epochs)) }),
        ]
        var protocolText = ""
        for (name, make) in models {
            let r = try evaluator.evaluate(split.test, in: split, scorer: make())
            rows.append((name, r.means))
            protocolText = r.protocolDescription
        }
        var out = "dataset: \(data.label) (\(split.dataset.fingerprint)); \(split.test.count) test cases\n"
        out += "protocol: \(protocolText)\n"
        if !split.report.description.isEmpty { out += "split report: \(split.report)\n" }
        out += "| Model | NDCG@10 | Recall@1 | Recall@10 | MRR |\n| --- | --- | --- | --- | --- |\n"
        for (name, m) in rows {
            out += "| \(name) | " + ["ndcg@10", "recall@1", "recall@10", "mrr"].map { String(format: "%.4f", m[$0]!) }
                .joined(separator: " | ") + " |\n"
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let payload = Dictionary(uniqueKeysWithValues: rows)
            try AtomicFile.write(encoder.encode(["fingerprint": [split.dataset.fingerprint.description: payload]]), to: json)
        }
        return out
    }
}
