import Foundation
import SeqRecBaselines
import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecScoring
import SeqRecTensor

/// One cell to compute: a row of the spec on a dataset with a seed (and, for scoring, a size).
struct Cell {
    let row: ExperimentSpec.Row
    let dataset: ExperimentSpec.DatasetRef?
    let seed: UInt64
    let items: Int?
}

/// Computes cells of each spec kind. Training cells train through `TrainingRun` in their own
/// run directory with `resume`, so an interrupted cell continues from its last epoch.
struct CellRunner {
    let spec: ExperimentSpec
    let scale: ExperimentSpec.Scale
    let scaleName: String
    let loader: DatasetLoader
    let runsDirectory: String
    /// Where and how this run computes (captured once per run, recorded in every cell).
    let environment: RunEnvironment
    let scoring = ScoringCell()
    let log: (String) -> Void

    /// The resolved configuration of a cell (what its key hashes).
    func resolvedConfig(_ cell: Cell) throws -> JSONValue {
        switch spec.kind {
        case "training":
            if let g = cell.row.group { return .object(["baseline": .string(g), "seed": .number(Double(cell.seed))]) }
            // The row's config over its preset, the scale's over that, then the seed — each laid
            // strictly (a typo fails before anything runs; a section naming another component
            // starts from that component's defaults).
            var config = try RunConfig.presetRegistry.entry(cell.row.preset ?? "gsasrec").config
            let source = "\(spec.id) row \(cell.row.id)"
            if let c = cell.row.config { config = try RunConfig.decode(c.canonical, source: source, over: config) }
            if let c = scale.config { config = try RunConfig.decode(c.canonical, source: source + " (scale)", over: config) }
            let seed = JSONValue.number(Double(cell.seed))
            config = try RunConfig.decode(JSONValue.object(["model": .object(["seed": seed]), "training": .object(["seed": seed])]).canonical,
                                          source: source, over: config)
            return try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(config))
        case "memory":
            return .object(["items": .number(Double(cell.row.items ?? 0))])
        case "scoring":
            var o: [String: JSONValue] = [:]
            o["method"] = .string(cell.row.method ?? "")
            o["splits"] = .number(Double(cell.row.splits ?? 8))
            o["items"] = .number(Double(cell.items ?? 0))
            o["queries"] = .number(Double(scale.queries ?? 50))
            return .object(o)
        default:
            return .object([:])
        }
    }

    func compute(_ cell: Cell, key: String, config: JSONValue) throws -> CellResult {
        let clock = Stopwatch()
        var metrics: [String: Double] = [:]
        var perUser: [String: [Double]]? = nil
        var fingerprint = "analytic"
        var steps: Int? = nil
        var splitProtocol: String? = nil, evalProtocol: String? = nil
        var skipped: String? = nil
        switch spec.kind {
        case "statistics":
            guard let ref = cell.dataset, let (split, stats) = try loader.load(ref) else { skipped = "dataset files absent"; break }
            fingerprint = split.dataset.fingerprint.description
            metrics["users"] = Double(stats.users)
            metrics["items"] = Double(stats.items)
            metrics["interactions"] = Double(stats.interactions)
            metrics["meanLength"] = stats.meanLength
            metrics["medianLength"] = stats.medianLength
            metrics["longTailPercent"] = stats.longTailPercent
        case "memory":
            let r = MemoryAnalysis.row(dataset: cell.row.label ?? cell.row.id, items: cell.row.items ?? 0)
            metrics["baseMB"] = Double(r.baseBytes) / Double(1 << 20)
            for c in r.columns { metrics["m=\(c.m) %"] = c.percent }
        case "training":
            guard let ref = cell.dataset, let (split, _) = try loader.load(ref) else { skipped = "dataset files absent"; break }
            fingerprint = split.dataset.fingerprint.description
            if let g = cell.row.group {
                let scorer: any ItemScorer
                if g == "popularity" {
                    scorer = PopularityRecommender(split: split)
                } else {
                    scorer = try MatrixFactorizationBPR(split: split, config: .init(factors: 128, epochs: 20, seed: cell.seed))
                }
                let evaluation = try Evaluator(metrics: TrainingRun.testMetrics).evaluate(split.test, in: split, scorer: scorer)
                metrics = evaluation.means
                perUser = evaluation.perCase
                evalProtocol = evaluation.protocolDescription
            } else {
                let run = try RunConfig.decode(config.canonical)
                let training = TrainingRun(config: run, split: split, dataset: ref.label ?? ref.name, directory: runsDirectory + "/" + key)
                let (result, _) = try training.run(resume: true, progress: { self.log("    " + $0) })
                steps = result.training.steps
                metrics = result.test
                metrics["time (min)"] = result.training.seconds / 60
                metrics["best validation ndcg@10"] = result.training.bestValidationNDCG
                perUser = result.testPerUser
                evalProtocol = result.evaluationProtocol
            }
            splitProtocol = split.protocolDescription
        case "scoring":
            (metrics, skipped) = try scoring.measure(method: cell.row.method ?? "", items: cell.items ?? 0,
                                                         splits: cell.row.splits ?? 8, queries: scale.queries ?? 50, seed: cell.seed)
        default:
            break
        }
        let record = CellResult.Record(config: config, fingerprint: fingerprint,
                                       environment: environment, seconds: clock.elapsedSeconds,
                                       steps: steps, splitProtocol: splitProtocol, evaluationProtocol: evalProtocol,
                                       codeVersion: CellResult.codeVersion, finished: ISO8601DateFormatter().string(from: Date()))
        return CellResult(key: key, row: cell.row.id, dataset: cell.dataset?.name ?? "", seed: cell.seed, items: cell.items,
                          metrics: metrics, perUser: perUser, record: record, skipped: skipped)
    }
}
