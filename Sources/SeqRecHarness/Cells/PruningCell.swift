import Foundation
import SeqRecCore
import SeqRecScoring

/// One point of Table 7.3 / Figs. 7.4–7.5: PQTopK or RecJPQPrune (thesis Algorithms 2 and 4) on
/// the structured catalogue generator (`StructuredCatalogue`: clustered latent items whose scores
/// have the structure pruning exploits; random codes would give it nothing), d = 512, b = 256,
/// m = the row's `splits`. The row's `config` gives the ranking cutoff `k` (default 10), the
/// RecJPQPrune batch size `batchSize` (default 8) and the code assignment `codes`
/// (`svdQuantile` or `clusters`). Measures median and 95th-percentile milliseconds per query
/// after 3 warm-up queries and the items scored per query (median; re-scorings counted); the
/// warm-up queries' top-K lists are checked equal to PQTopK's (pruning must be exact).
///
/// `pq-topk` is Algorithm 2 as published: one float table lookup per split and item (the scalar
/// scan), the baseline the thesis's speed-ups are measured against; `pq-topk-shuffle` is SeqRec's
/// own scan of the same codes (byte shuffles over a quantised table, exact top-K), a row of its own.
final class PruningCell {
    private var catalogue: (key: String, value: StructuredCatalogue)?
    private var index: (key: String, value: RecJPQPruneScorer)?

    static let shuffleMethod = "pq-topk-shuffle"
    static let methods = [PQTopKScorer.id, shuffleMethod, RecJPQPruneScorer.id]
    static let configKeys = ["k", "batchSize", "codes"]

    /// The scan a method's timing depends on (part of a cell's key): `pq-topk` cells measured
    /// before the shuffle scan existed differ from today's.
    static func scanName(_ method: String) -> String {
        method == PQTopKScorer.id ? "scalar" : method == shuffleMethod ? "shuffle" : "none"
    }

    static let kind = CellKind(id: "pruning", usesDataset: false, scaleChoosesDataset: false, perSeed: false, perSize: true,
                               pairedSignificance: false, validate: validate, resolve: resolve) { runner, cell, config, _ in
        var out = CellOutput()
        out.metrics = try runner.pruning.measure(config, items: cell.items ?? 0, seed: cell.seed)
        return out
    }

    static func validate(_ spec: ExperimentSpec) throws {
        for r in spec.expandedRows() {
            guard let m = r.method, methods.contains(m) else {
                throw ConfigError.unknownComponent(family: "pruning method (row \(r.id))", id: r.method ?? "(none)", valid: methods)
            }
            _ = try settings(r)
        }
    }

    /// The row's `k`, `batchSize` and `codes`, checked.
    static func settings(_ row: ExperimentSpec.Row) throws -> (k: Int, batchSize: Int, codes: StructuredCatalogue.Codes) {
        var k = 10, bs = 8, codes = StructuredCatalogue.Codes.svdQuantile
        guard case .object(let o) = row.config ?? .object([:]) else {
            throw ConfigError.invalidValue(key: "rows.\(row.id).config", message: "expected an object")
        }
        for (key, v) in o.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "k", "batchSize":
                guard let x = v.number, x == x.rounded(), x >= 1, x <= 100_000 else {
                    throw ConfigError.invalidValue(key: "rows.\(row.id).config.\(key)", message: "must be a whole number in [1, 100000]")
                }
                if key == "k" { k = Int(x) } else { bs = Int(x) }
            case "codes":
                guard let s = v.string, let c = StructuredCatalogue.Codes(rawValue: s) else {
                    throw ConfigError.invalidValue(key: "rows.\(row.id).config.codes", message: "must be svdQuantile or clusters")
                }
                codes = c
            default:
                throw ConfigError.unknownKey(section: "rows.\(row.id).config", key: key, valid: configKeys)
            }
        }
        return (k, bs, codes)
    }

    static func resolve(_ runner: CellRunner, _ cell: Cell) throws -> JSONValue {
        let s = try settings(cell.row)
        let method = cell.row.method ?? ""
        // The scan is part of the key: `pq-topk` cells measured before the shuffle scan existed differ.
        let scan = scanName(method)
        return .object(["method": .string(method), "scan": .string(scan), "splits": .number(Double(cell.row.splits ?? 8)), "items": .number(Double(cell.items ?? 0)),
                        "k": .number(Double(s.k)), "batchSize": .number(Double(method == RecJPQPruneScorer.id ? s.batchSize : 0)),
                        "codes": .string(s.codes.rawValue), "queries": .number(Double(runner.scale.queries ?? 50))])
    }

    func measure(_ config: JSONValue, items: Int, seed: UInt64) throws -> [String: Double] {
        guard case .object(let o) = config, let method = o["method"]?.string, let splits = o["splits"]?.number,
              let k = o["k"]?.number, let bs = o["batchSize"]?.number, let codes = o["codes"]?.string.flatMap(StructuredCatalogue.Codes.init),
              let queries = o["queries"]?.number else { throw ConfigError.invalidValue(key: "pruning cell", message: "incomplete config") }
        let key = "\(items)-\(Int(splits))-\(codes.rawValue)-\(seed)"
        if catalogue?.key != key {
            catalogue = nil
            index = nil
            catalogue = (key, try StructuredCatalogue(items: items, splits: Int(splits), codes: codes, seed: seed))
        }
        let structured = catalogue!.value
        var prune: RecJPQPruneScorer? = nil
        if method == RecJPQPruneScorer.id {
            if index?.key != key { index = (key, try RecJPQPruneScorer(catalogue: structured.catalogue)) }
            prune = try index!.value.withBatchSize(Int(bs))
        }
        return try PruningCell.time(method: method, k: Int(k), catalogue: structured.catalogue, prune: prune,
                                    queries: structured.queries(Int(queries) + 3))
    }

    /// Times `method` over `queries` (the first 3 are warm-up, their top-K checked equal to the
    /// scalar PQTopK's): median and 95th-percentile ms, items scored (median) and its share.
    static func time(method: String, k: Int, catalogue: PQCatalogue, prune: RecJPQPruneScorer?,
                     queries qs: [[Float]]) throws -> [String: Double] {
        let items = catalogue.items
        let exhaustive = PQTopKScorer(catalogue: catalogue, scan: .scalar)
        let timed = method == PruningCell.shuffleMethod ? PQTopKScorer(catalogue: catalogue) : exhaustive
        var times: [Double] = [], scored: [Double] = []
        for (i, q) in qs.enumerated() {
            let clock = Stopwatch()
            let (top, count): ([ScoredItem], Int)
            if let prune { (top, count) = try prune.topKCountingScored(q, k: k, excluding: []) } else {
                (top, count) = (try timed.topK(q, k: k, excluding: []), items)
            }
            let ms = clock.elapsedSeconds * 1e3
            if i < 3, method != PQTopKScorer.id, try exhaustive.topK(q, k: k, excluding: []).map(\.item) != top.map(\.item) {
                throw ConfigError.invalidValue(key: "pruning cell", message: "\(method)'s top-\(k) differs from PQTopK's at \(items) items: it is not exact")
            }
            if i >= 3 { times.append(ms); scored.append(Double(count)) }
        }
        let t = ScoringCell.summary(times), s = ScoringCell.summary(scored)
        return ["median ms": t.median, "p95 ms": t.p95, "items scored": s.median, "items scored %": 100 * s.median / Double(items)]
    }
}
