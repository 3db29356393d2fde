import Foundation
import SeqRecBaselines
import SeqRecCore
import SeqRecEval
import SeqRecModels
import SeqRecObjectives

/// A trained model (a preset with the row's and the scale's config laid over it, then the seed)
/// or a baseline (`group`), evaluated on the test cases. Training cells run through
/// `TrainingRun` in their own run directory with resume, so an interrupted cell continues.
enum TrainingCell {
    static let kind = CellKind(id: "training", usesDataset: true, scaleChoosesDataset: true, perSeed: true, perSize: false,
                               pairedSignificance: true, validate: validate, resolve: resolve, compute: compute,
                               hasStandardError: { $0 != timeMetric && !ExtraMetrics.isAggregate($0) })

    /// Training time in minutes: the one metric of a training cell without per-user values.
    static let timeMetric = "time (min)"

    static func validate(_ spec: ExperimentSpec) throws {
        for r in spec.rows {
            if let g = r.group {
                _ = try Baselines.registry.entry(g)
            } else {
                _ = try RunConfig.presetRegistry.entry(r.preset ?? "gsasrec-port")
            }
        }
    }

    /// The row's config over its preset, the scale's over that, the scale's for this row, then the seed — each laid
    /// strictly (a typo fails before anything runs; a section naming another component starts
    /// from that component's defaults).
    static func resolve(_ runner: CellRunner, _ cell: Cell) throws -> JSONValue {
        if let g = cell.row.group { return .object(["baseline": .string(g), "seed": .number(Double(cell.seed))]) }
        var config = try RunConfig.presetRegistry.entry(cell.row.preset ?? "gsasrec-port").config
        let source = "\(runner.spec.id) row \(cell.row.id)"
        if let c = cell.row.config { config = try RunConfig.decode(c.canonical, source: source, over: config) }
        if let c = runner.scale.config { config = try RunConfig.decode(c.canonical, source: source + " (scale)", over: config) }
        let base = String(cell.row.id.split(separator: "/").first ?? "")
        if let c = runner.scale.rowConfig?[cell.row.id] ?? runner.scale.rowConfig?[base] {
            config = try RunConfig.decode(c.canonical, source: source + " (scale rowConfig)", over: config)
        }
        let seed = JSONValue.number(Double(cell.seed))
        config = try RunConfig.decode(JSONValue.object(["model": .object(["seed": seed]), "training": .object(["seed": seed])]).canonical,
                                      source: source, over: config)
        return try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(config))
    }

    static func compute(_ runner: CellRunner, _ cell: Cell, _ config: JSONValue, _ key: String) throws -> CellOutput {
        var out = CellOutput()
        guard let ref = cell.dataset, let (split, _) = try runner.loader.load(ref) else {
            out.skipped = "dataset files absent"
            return out
        }
        out.fingerprint = split.dataset.fingerprint.description
        if let g = cell.row.group {
            let scorer = try Baselines.registry.entry(g).make(split, cell.seed)
            let evaluation = try Evaluator(metrics: TrainingRun.testMetrics, sampled: runner.spec.sampledEvaluation)
                .evaluate(split.test, in: split, scorer: scorer)
            out.metrics = evaluation.means
            out.perUser = evaluation.perCase
            out.evaluationProtocol = evaluation.protocolDescription
            let extra = ExtraMetrics.names(runner.spec)
            if !extra.isEmpty {
                let e = try ExtraMetrics.evaluate(extra, runner: runner, ref: ref, split: split, scorer: scorer, probability: nil)
                out.metrics.merge(e.means) { _, b in b }
                out.perUser?.merge(e.perUser) { _, b in b }
            }
        } else {
            let run = try JSONDecoder().decode(RunConfig.self, from: config.canonical)
            let training = TrainingRun(config: run, split: split, dataset: ref.label ?? ref.name,
                                       directory: runner.runsDirectory + "/" + key,
                                       sampledEvaluation: runner.spec.sampledEvaluation)
            let (result, model) = try training.run(resume: true, progress: runner.show)
            out.steps = result.training.steps
            out.metrics = result.test
            out.metrics[timeMetric] = result.training.seconds / 60
            out.metrics["best validation ndcg@10"] = result.training.bestValidationNDCG
            if let se = result.training.bestValidationStandardError { out.standardErrors = ["best validation ndcg@10": se] }
            out.perUser = result.testPerUser
            out.evaluationProtocol = result.evaluationProtocol
            let loss = try Losses.registry.entry(run.loss.id).make(run.loss.settings, split.dataset.vocabulary.itemCount)
            if let depth = CalibrationCurve.depth(runner.spec) {
                let c = try CalibrationCurve.compute(depth: depth, split: split, scorer: ModelScorer(model: model, split: split),
                                                     loss: loss, catalogue: split.dataset.vocabulary.itemCount)
                out.curves = c.curves
                out.metrics.merge(c.metrics) { _, b in b }
            }
            let extra = ExtraMetrics.names(runner.spec)
            if !extra.isEmpty {
                let e = try ExtraMetrics.evaluate(extra, runner: runner, ref: ref, split: split, scorer: ModelScorer(model: model, split: split),
                                                  probability: loss.probability)
                out.metrics.merge(e.means) { _, b in b }
                out.perUser?.merge(e.perUser) { _, b in b }
            }
        }
        out.splitProtocol = split.protocolDescription
        return out
    }
}
