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

    @OptionGroup var metricOptions: MetricOptions

    @Option(help: "Also write one flat row per model (metric means and standard errors) as JSON here (atomically; schema seqrec-baselines/1, see README).")
    var json: String?

    public init() {}

    public func run() throws { print(try render(), terminator: "") }

    public func render() throws -> String {
        let split = try data.split()
        let selection = try metricOptions.selection(split: split, data: data)
        if selection.calibration { throw ValidationError("--metrics ece: the baselines' scores are not probabilities") }
        let evaluator = Evaluator(metrics: selection.metrics, filterSeen: !noFilterSeen, sampled: selection.sampling)
        var rows: [(String, [String: Double], EvaluationResult)] = []
        var results: [(String, EvaluationResult)] = []
        let models: [(String, () throws -> any ItemScorer)] = [
            ("Popularity", { PopularityRecommender(split: split) }),
            ("MarkovChain(order 50, β 0.6)", { try MarkovChainRecommender(split: split) }),
            ("MF-BPR(\(factors))", { try MatrixFactorizationBPR(split: split, config: .init(factors: factors, epochs: epochs)) }),
        ]
        var protocolText = ""
        for (name, make) in models {
            let r = try evaluator.evaluate(split.test, in: split, scorer: make())
            results.append((name, r))
            protocolText = r.protocolDescription
        }
        var out = "dataset: \(data.label) (\(split.dataset.fingerprint)); \(split.test.count) test cases\n"
        out += "protocol: \(protocolText)\n"
        if !split.report.description.isEmpty { out += "split report: \(split.report)\n" }
        let popularity = results[0].1
        out += MetricTable.render(names: selection.names, rows: results.map { ($0.0, $0.1, popularity) })
        for (name, r) in results {
            var m = r.means
            for k in selection.normalizedPCOUNT { m["npcount@\(k)"] = r.normalizedPCOUNT(k: k, popularity: popularity) }
            rows.append((name, m, r))
        }
        if let json {
            try AtomicFile.write(BaselinesJSON(dataset: data.label, split: split, protocolText: protocolText, rows: rows).prettyJSON(), to: json)
        }
        return out
    }
}
