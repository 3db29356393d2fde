import ArgumentParser
import Foundation
import SeqRecBaselines
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecObjectives

/// `seqrec quickstart`: SASRec and gSASRec trained on a dataset (default: the embedded synthetic
/// one) with a small configuration, compared with Popularity on the test cases. Writes each
/// run's checkpoint, log and result under `--out`; rerunning resumes or reuses finished runs.
public struct QuickstartCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Train SASRec and gSASRec (small config) and compare them with Popularity: NDCG@10 / Recall@10.")

    @OptionGroup var data: DatasetOptions

    @Option(help: "Where runs are written (one directory per model).")
    var out = "quickstart-output"

    @Option(help: "Training wall-clock budget per model, seconds.")
    var seconds = 60.0

    @Option(help: "Sequence length.")
    var maxLength = 30
    @Option(help: "Embedding size.")
    var dim = 64
    @Option(help: "Adam learning rate.")
    var learningRate: Float = 5e-3

    @Option(help: "gSASRec negatives per position (capped at |I| − 1).")
    var negatives = 128

    @Flag var quiet = false

    public init() {}

    public func run() throws { print(try render(), terminator: "") }

    func config(_ loss: LossConfig) -> RunConfig {
        var c = RunConfig(model: .init(maxLength: maxLength, dim: dim, blocks: 2, heads: 1, dropout: 0.2), loss: loss)
        c.training.batchesPerEpoch = 20
        c.training.patience = 20
        c.training.learningRate = learningRate
        c.training.beta2 = 0.98
        c.training.wallClockSeconds = seconds
        return c
    }

    public func render() throws -> String {
        let split = try data.split(validationUsers: DatasetOptions.defaultValidationUsers)
        let n = split.dataset.vocabulary.itemCount
        let k = min(negatives, n - 1)
        let runs: [(String, String, RunConfig)] = [
            ("SASRec (BCE, 1 negative)", "sasrec", config(.bce(negatives: 1))),
            ("gSASRec (gBCE, \(k) negatives, t 0.75)", "gsasrec", config(.gbce(negatives: k, t: 0.75))),
        ]
        let display = quiet ? nil : ProgressDisplay(interval: 15)
        defer { display?.finish() }
        var rows: [(String, [String: Double], String)] = []
        let pop = try Evaluator(metrics: TrainingRun.testMetrics).evaluate(split.test, in: split, scorer: PopularityRecommender(split: split))
        rows.append(("Popularity", pop.means, "–"))
        for (name, dir, cfg) in runs {
            let run = TrainingRun(config: cfg, split: split, dataset: data.label, directory: out + "/" + dir)
            let (r, _) = try run.run(resume: true, progress: display.map { d in { d.show($0, prefix: "[\(dir)] ") } })
            display?.finish()
            rows.append((name, r.test, "\(r.training.steps) steps, \(String(format: "%.0f", r.training.seconds)) s"))
        }
        var s = "dataset: \(data.label) (\(split.dataset.fingerprint)); \(split.test.count) test cases; full-catalogue ranking, seen items filtered\n"
        s += "| Model | NDCG@10 | Recall@10 | training |\n| --- | --- | --- | --- |\n"
        for (name, m, t) in rows {
            s += "| \(name) | \(String(format: "%.4f", m["ndcg@10"] ?? .nan)) | \(String(format: "%.4f", m["recall@10"] ?? .nan)) | \(t) |\n"
        }
        s += "checkpoints and results: \(out)/sasrec, \(out)/gsasrec (model.safetensors, result.json, log.jsonl)\n"
        return s
    }
}
