import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecObjectives
import SeqRecBaselines

/// `seqrec evaluate`: full-catalogue metrics of a trained checkpoint on a dataset's test (or
/// validation) cases. The dataset must be the one the model was trained on (same fingerprint).
public struct EvaluateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained checkpoint (full catalogue, seen filter) on a dataset's test or validation cases.")

    @OptionGroup var data: DatasetOptions

    @Option(help: "A run directory or its model.safetensors.")
    var checkpoint: String

    @Option(help: "test | validation")
    var cases = "test"

    @Option(help: "Validation users of a leave-one-out split: all users up to this many, else a seeded sample of this many (the gSASRec port's code samples 512; a gsasrec-split directory has its own).")
    var validationUsers = DatasetOptions.defaultValidationUsers

    @Flag(help: "Disable the seen-item filter (on by default, for every model).")
    var noFilterSeen = false

    @OptionGroup var metricOptions: MetricOptions

    @Option(help: "Also write metrics, standard errors and per-case vectors with external user and item ids as JSON here (atomically; schema seqrec-evaluate/1, see README).")
    var json: String?

    public init() {}

    public func validate() throws {
        guard ["test", "validation"].contains(cases) else {
            throw ValidationError(ConfigError.unknownComponent(family: "cases", id: cases, valid: ["test", "validation"]).description)
        }
    }

    public func run() throws { print(try render(), terminator: "") }

    public func render() throws -> String {
        let ckpt = try ModelCheckpoint.load(path: Self.modelPath(checkpoint))
        let split = try data.split(validationUsers: validationUsers)
        try Self.checkSameData(ckpt, split.dataset, checkpoint: checkpoint)
        let selection = try metricOptions.selection(split: split, data: data)
        var probability: ProbabilityTransform? = nil
        if selection.calibration {
            let loss = try Losses.registry.entry(ckpt.config.loss.id).make(ckpt.config.loss.settings, split.dataset.vocabulary.itemCount)
            guard let p = loss.probability else {
                throw ValidationError("--metrics ece: the model was trained with \(ckpt.config.loss.id), whose scores are not probabilities")
            }
            probability = p
        }
        let evaluator = Evaluator(metrics: selection.metrics, filterSeen: !noFilterSeen, sampled: selection.sampling, probability: probability)
        let chosen = cases == "test" ? split.test : split.validation
        let r = try evaluator.evaluate(chosen, in: split, scorer: ModelScorer(model: ckpt.model, split: split))
        let popularity = selection.normalizedPCOUNT.isEmpty ? nil
            : try Evaluator(metrics: selection.metrics.filter { $0 is PCOUNT }, filterSeen: !noFilterSeen)
                .evaluate(chosen, in: split, scorer: PopularityRecommender(split: split))
        if let json {
            let document = EvaluateJSON(checkpoint: checkpoint, model: ckpt.config.model.id, dataset: data.label, cases: cases, result: r, split: split)
            try AtomicFile.write(document.prettyJSON(), to: json)
        }
        var out = "checkpoint: \(checkpoint) (model \(ckpt.config.model.id), objective \(ckpt.config.objective.id), loss \(ckpt.config.loss.summary))\n"
        out += "dataset: \(data.label) (\(split.dataset.fingerprint)); \(chosen.count) \(cases) cases; \(r.protocolDescription)\n"
        out += MetricTable.render(names: selection.names, rows: [("model", r, popularity)])
        if let c = r.calibration {
            out += "calibration (\(probability!.rawValue) of the score, top-10, \(c.bins) bins): ECE \(String(format: "%.4f", c.expectedCalibrationError)); "
                + "K: mean probability → Precision@K " + (0..<Swift.min(10, c.precisionAtK.count)).map {
                    String(format: "%d: %.3f → %.3f", $0 + 1, c.meanProbabilityAtK[$0], c.precisionAtK[$0]) }.joined(separator: ", ") + "\n"
        }
        return out
    }

    /// `dir/model.safetensors` for a directory, else the path itself.
    static func modelPath(_ path: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return path + "/" + ModelCheckpoint.fileName
        }
        return path
    }

    /// Models are only ever evaluated on the data they were trained on.
    static func checkSameData(_ ckpt: ModelCheckpoint, _ dataset: SequenceDataset, checkpoint: String) throws {
        let fp = dataset.fingerprint.description
        guard fp == ckpt.fingerprint else {
            throw CheckpointError(file: checkpoint, "trained on dataset \(ckpt.fingerprint), but this dataset is \(fp); "
                                  + "evaluate on the data and preprocessing the model was trained with")
        }
    }
}
