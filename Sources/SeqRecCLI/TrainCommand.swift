import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels

/// `seqrec train`: trains any registered model from a strict JSON config (or a preset),
/// checkpoints every epoch into `--out`, evaluates the best weights on the test cases and
/// writes `result.json`.
public struct TrainCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model (\(Models.registry.ids.joined(separator: ", "))) with checkpoints, early stopping and resume; evaluate on the test cases.",
        discussion: """
            The config is JSON with sections model, objective, loss and training; model, objective \
            and loss are {"id": …, …their own keys}. Keys left out keep the preset's values, \
            unknown keys are errors. Models: \(Models.registry.ids.joined(separator: ", ")); \
            presets: \(RunConfig.presetRegistry.ids.joined(separator: ", ")) (`seqrec models` lists them): gsasrec (the \
            default), sasrec and sasrec-softmax learn quickly; gsasrec-port, sasrec-port and sasrec-softmax-port are the \
            gSASRec port's configurations that the thesis's tables used. Example: \
            {"loss": {"id": "gbce", "negatives": 256, "t": 0.75}, "training": {"wallClockSeconds": 7200}}
            """)

    @OptionGroup var data: DatasetOptions

    @Option(help: ArgumentHelp("Starting configuration: \(RunConfig.presetRegistry.ids.joined(separator: " | ")).",
                               discussion: "gsasrec (the default), sasrec and sasrec-softmax learn quickly (they leave the popularity plateau within a few hundred steps); the -port presets are the gSASRec port's configurations, as the thesis's tables were produced (N(0, 1) tables that need thousands of steps before they learn more than popularity). `seqrec models` describes each."))
    var preset = "gsasrec"

    @Option(help: "JSON config laid over the preset (strict: unknown keys are errors).")
    var config: String?

    @Option(help: "Run directory: model.safetensors, training-state.safetensors, log.jsonl, result.json.")
    var out: String

    @Flag(help: "Continue the run in --out exactly where it stopped.")
    var resume = false

    @Option(help: "Validation users of a leave-one-out split: all users up to this many, else a seeded sample of this many (the gSASRec port's code samples 512; a gsasrec-split directory has its own).")
    var validationUsers = DatasetOptions.defaultValidationUsers

    @Flag(help: "No progress on standard error.")
    var quiet = false

    @Option(help: "Seconds between progress lines when standard error is not a terminal (on a terminal one line is updated in place).")
    var progressInterval = 30.0

    public init() {}

    public func validate() throws {
        guard RunConfig.presetRegistry.contains(preset) else {
            throw ValidationError(ConfigError.unknownComponent(family: "preset", id: preset, valid: RunConfig.presetRegistry.ids).description)
        }
        if validationUsers < 1 { throw ValidationError("--validation-users must be ≥ 1") }
        if !(progressInterval > 0) { throw ValidationError("--progress-interval must be > 0 seconds") }
    }

    /// The preset with the config file laid over it.
    func resolvedConfig() throws -> RunConfig {
        let base = try RunConfig.presetRegistry.entry(preset).config
        guard let config else { return base }
        return try RunConfig.load(path: config, over: base)
    }

    public func run() throws {
        let statePath = RunDirectory(path: out, metadata: [:]).statePath
        if resume && !FileManager.default.fileExists(atPath: statePath) {
            throw ValidationError("--resume: \(out) holds no run to resume (no \(statePath)); start it without --resume")
        }
        let resolved = try resolvedConfig()
        let split = try data.split(validationUsers: validationUsers)
        let stderr = FileHandle.standardError
        let display = quiet ? nil : ProgressDisplay(interval: progressInterval)
        display?.message("[train] dataset \(data.label): \(split.dataset.fingerprint); \(split.validation.count) validation / \(split.test.count) test cases")
        display?.message("[train] config \(resolved.json)")
        let run = TrainingRun(config: resolved, split: split, dataset: data.label, directory: out)
        let result: RunResult
        do {
            defer { display?.finish() }
            (result, _) = try run.run(resume: resume, progress: display.map { d in { d.show($0, prefix: "[train] ") } })
        }
        print(Self.summary(result, directory: out), terminator: "")
        if result.training.stopReason == .nonFinite {
            stderr.write(Data(("error: training diverged (non-finite loss or gradient) after epoch \(result.training.epochs); the test "
                               + "figures above are of the best weights (epoch \(result.training.bestEpoch)), kept in \(out)\n").utf8))
            throw ExitCode(3)
        }
    }

    static func summary(_ r: RunResult, directory: String) -> String {
        let t = r.training
        var s = "stopped: \(t.stopReason.rawValue) after \(t.epochs) epochs, \(t.steps) steps, \(String(format: "%.0f", t.seconds)) s; "
        s += "best validation NDCG@10 \(String(format: "%.4f", t.bestValidationNDCG)) at epoch \(t.bestEpoch)\n"
        s += "test (\(r.testUsers.count) cases, \(r.evaluationProtocol)):\n"
        s += "| NDCG@10 | Recall@1 | Recall@10 | MRR |\n| --- | --- | --- | --- |\n"
        let cells: [String] = ["ndcg@10", "recall@1", "recall@10", "mrr"].map { (m: String) -> String in String(format: "%.4f", r.test[m] ?? .nan) }
        s += "| " + cells.joined(separator: " | ") + " |\n"
        if let size = r.modelSize { s += size.summary + "\n" }
        s += "wrote \(directory)/model.safetensors, result.json, log.jsonl\n"
        return s
    }
}
