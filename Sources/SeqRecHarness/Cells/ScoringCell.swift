import Foundation
import SeqRecCore
import SeqRecScoring

/// One point of Fig. 7.2 / Table 7.2: a scoring method on a simulated catalogue (random codes
/// and sub-item embeddings, d = 512, b = 256, thesis §7.1.5), single queries, top-10, mean
/// (what the thesis reports), median and 95th-percentile milliseconds after warm-up. One
/// instance lives for one reproduction run and keeps the catalogue of the last size, so the
/// methods of one size share it.
final class ScoringCell {
    /// The last two catalogues built (one size's m = 8 and m = 64 rows alternate).
    private var catalogues: [(key: String, value: PQCatalogue)] = []

    static let kind = CellKind(id: "scoring", usesDataset: false, scaleChoosesDataset: false, perSeed: false, perSize: true,
                               pairedSignificance: false, validate: { spec in
        for r in spec.rows { _ = try Scorers.registry.entry(r.method ?? "(none)") }
    }, resolve: { runner, cell in
        .object(["method": .string(cell.row.method ?? ""), "splits": .number(Double(cell.row.splits ?? 8)),
                 "items": .number(Double(cell.items ?? 0)), "queries": .number(Double(runner.scale.queries ?? 50)),
                 "measures": .string("mean, median, p95")])
    }) { runner, cell, _, _ in
        var out = CellOutput()
        (out.metrics, out.skipped) = try runner.scoring.measure(method: cell.row.method ?? "", items: cell.items ?? 0,
                                                                splits: cell.row.splits ?? 8, queries: runner.scale.queries ?? 50,
                                                                seed: cell.seed)
        return out
    }

    /// Mean, median and 95th percentile (nearest rank) of per-query times.
    static func summary(_ values: [Double]) -> (mean: Double, median: Double, p95: Double) {
        let v = values.sorted(), n = v.count
        let median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        return (v.reduce(0, +) / Double(n), median, v[Swift.min(n - 1, Int((Double(n) * 0.95).rounded(.up)) - 1)])
    }

    func measure(method: String, items: Int, splits: Int, queries: Int, seed: UInt64) throws -> ([String: Double], String?) {
        let dim = 512
        if method == "dense" && Double(items) * Double(dim) * 4 > 8e9 {
            return ([:], "dense scoring needs \(items * dim * 4 / 1_000_000_000) GB of embeddings")
        }
        let key = "\(items)-\(splits)-\(seed)"
        if !catalogues.contains(where: { $0.key == key }) {
            if catalogues.count == 2 { catalogues.removeFirst() }
            catalogues.removeAll { !$0.key.hasPrefix("\(items)-") }
            catalogues.append((key, try PQCatalogue.random(items: items, splits: splits, dim: dim, seed: seed)))
        }
        let c = catalogues.first { $0.key == key }!.value
        let scorer = try Scorers.registry.entry(method).make(c)
        var rng = SplitMix64(seed: seed ^ 0x5eed)
        let qs = (0..<(queries + 3)).map { _ in (0..<dim).map { _ in rng.nextNormal() } }
        var times: [Double] = []
        for (i, q) in qs.enumerated() {
            let clock = Stopwatch()
            _ = try scorer.topK(q, k: 10, excluding: [])
            if i >= 3 { times.append(clock.elapsedSeconds * 1e3) }
        }
        let t = Self.summary(times)
        return (["mean ms": t.mean, "median ms": t.median, "p95 ms": t.p95, "peak RSS GB": Double(MemoryUsage.peakResidentBytes()) / 1e9], nil)
    }
}
