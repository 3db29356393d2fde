import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels
import SeqRecScoring

/// Table 7.3 on a trained model (thesis §7.2.5: RecJPQPrune against PQTopK on trained RecJPQ
/// models). The scale's `config` — a run config with RecJPQ item embeddings, laid over the
/// `gsasrec-port` preset — is trained once on the scale's dataset, in the runs directory and
/// resumable like a training cell; its sub-item embeddings and codes form the catalogue, and the
/// queries are the sequence embeddings of the first `queries` test users (plus 3 warm-up). Rows
/// name a method (`pq-topk`, `pq-topk-shuffle`, `recjpq-prune`) with `k` and `batchSize` as in
/// `pruning` specs; every row of a run shares the one trained model.
final class TrainedPruningCell {
    private var trained: (key: String, catalogue: PQCatalogue, queries: [[Float]], test: Double)?
    private var index: (key: String, value: RecJPQPruneScorer)?

    static let kind = CellKind(id: "trained-pruning", usesDataset: true, scaleChoosesDataset: true, perSeed: false, perSize: false,
                               pairedSignificance: false, validate: validate, resolve: resolve) { runner, cell, config, _ in
        var out = CellOutput()
        guard let ref = cell.dataset, let (split, _) = try runner.loader.load(ref) else {
            out.skipped = "dataset files absent"
            return out
        }
        out.fingerprint = split.dataset.fingerprint.description
        out.metrics = try runner.trainedPruning.measure(config, runner: runner, split: split, dataset: ref.label ?? ref.name)
        out.splitProtocol = split.protocolDescription
        return out
    }

    /// The trained model's test NDCG@10, reported with every row (what kind of model the catalogue comes from).
    static let modelMetric = "model test ndcg@10"

    static func validate(_ spec: ExperimentSpec) throws {
        try PruningCell.validate(spec)
        for r in spec.expandedRows() {
            if case .object(let o) = r.config ?? .object([:]), o["codes"] != nil {
                throw ConfigError.invalidValue(key: "rows.\(r.id).config.codes",
                                               message: "applies to the structured generator (kind pruning); a trained model brings its own codes")
            }
        }
        for (name, scale) in spec.scales {
            let config = try modelConfig(scale.config, source: "\(spec.id) scale \(name)")
            guard try config.modelSettings.itemEmbedding.isRecJPQ else {
                throw ConfigError.invalidValue(key: "scales.\(name).config.model.itemEmbedding.kind",
                                               message: "must be recjpq: RecJPQPrune and PQTopK score a RecJPQ model's codes")
            }
        }
    }

    /// The scale's config over the `gsasrec-port` preset.
    static func modelConfig(_ overlay: JSONValue?, source: String) throws -> RunConfig {
        var config = try RunConfig.presetRegistry.entry("gsasrec-port").config
        if let overlay { config = try RunConfig.decode(overlay.canonical, source: source, over: config) }
        return config
    }

    static func resolve(_ runner: CellRunner, _ cell: Cell) throws -> JSONValue {
        let s = try PruningCell.settings(cell.row)
        let method = cell.row.method ?? ""
        let scan = PruningCell.scanName(method)
        let model = try modelConfig(runner.scale.config, source: "\(runner.spec.id) scale \(runner.scaleName)")
        return .object(["method": .string(method), "scan": .string(scan), "k": .number(Double(s.k)),
                        "batchSize": .number(Double(method == RecJPQPruneScorer.id ? s.batchSize : 0)),
                        "queries": .number(Double(runner.scale.queries ?? 50)),
                        "model": try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(model))])
    }

    func measure(_ config: JSONValue, runner: CellRunner, split: DatasetSplit, dataset: String) throws -> [String: Double] {
        guard case .object(let o) = config, let method = o["method"]?.string, let k = o["k"]?.number, let bs = o["batchSize"]?.number,
              let queries = o["queries"]?.number, let modelJSON = o["model"] else {
            throw ConfigError.invalidValue(key: "trained pruning cell", message: "incomplete config")
        }
        // One model per (config, data): its run directory is keyed by both.
        let key = contentHash([modelJSON.canonical, Data(split.dataset.fingerprint.description.utf8)])
        if trained?.key != key {
            trained = nil
            index = nil
            let run = try JSONDecoder().decode(RunConfig.self, from: modelJSON.canonical)
            runner.log("    training the RecJPQ model once for every row (run directory model-\(key.prefix(12)))")
            let (result, model) = try TrainingRun(config: run, split: split, dataset: dataset,
                                                  directory: runner.runsDirectory + "/model-" + key)
                .run(resume: true, progress: runner.show)
            guard let jpq = model.recJPQ else {
                throw ConfigError.invalidValue(key: "model.itemEmbedding.kind", message: "the trained model has no RecJPQ item embeddings")
            }
            let cases = Array(split.test.prefix(Int(queries) + 3))
            let hidden = model.queryVectors(cases.map { split.input($0) }).scalars
            let d = model.itemDim
            var vectors: [[Float]] = []
            for c in 0..<cases.count { vectors.append(Array(hidden[(c * d)..<((c + 1) * d)])) }
            let catalogue = try jpq.catalogue()
            let test: Double = result.test["ndcg@10"] ?? .nan
            trained = (key, catalogue, vectors, test)
        }
        let t = trained!
        var prune: RecJPQPruneScorer? = nil
        if method == RecJPQPruneScorer.id {
            if index?.key != key { index = (key, try RecJPQPruneScorer(catalogue: t.catalogue)) }
            prune = try index!.value.withBatchSize(Int(bs))
        }
        var metrics = try PruningCell.time(method: method, k: Int(k), catalogue: t.catalogue, prune: prune, queries: t.queries)
        metrics[Self.modelMetric] = t.test
        return metrics
    }
}
