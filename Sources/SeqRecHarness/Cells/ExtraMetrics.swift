import Foundation
import SeqRecBaselines
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels

/// Metrics a training spec names beyond the ones every run records (NDCG@10, Recall@1/10, MRR,
/// time, best validation): ILD@K, PCOUNT@K, nPCOUNT@K, ECE, Precision@K… (the `--metrics`
/// vocabulary), evaluated on the same test cases with the trained model or baseline.
enum ExtraMetrics {
    /// The spec's metrics that need the extra evaluation, in spec order.
    static func names(_ spec: ExperimentSpec) -> [String] {
        let recorded = Set(TrainingRun.testMetrics.map(\.name) + [TrainingCell.timeMetric, "best validation ndcg@10"])
        let curve = CalibrationCurve.depth(spec) != nil ? Set(CalibrationCurve.metrics) : []
        return spec.metrics.filter { !recorded.contains($0) && !curve.contains($0) && !$0.hasPrefix("sampled-pop") }
    }

    /// Metrics without per-user values (their standard error is unknown).
    static func isAggregate(_ name: String) -> Bool { name == "ece" || name.hasPrefix("npcount@") || CalibrationCurve.metrics.contains(name) }

    /// Means and per-user vectors of `names` for `scorer` on the split's test cases.
    static func evaluate(_ names: [String], runner: CellRunner, ref: ExperimentSpec.DatasetRef, split: DatasetSplit,
                         scorer: any ItemScorer, probability: ProbabilityTransform?) throws -> (means: [String: Double], perUser: [String: [Double]]) {
        let genres = names.contains { $0.hasPrefix("ild") } ? try runner.loader.genres(ref) : nil
        let context = MetricContext(itemGenres: genres, popularity: split.trainItemShares())
        let selection = try MetricSelection.parse(names.joined(separator: ","), key: "\(runner.spec.id) metrics", context: context)
        // ECE needs predicted probabilities: rows without them (baselines, BPR / LambdaRank
        // models) show "–" for it rather than failing the run.
        let evaluation = try Evaluator(metrics: selection.metrics, probability: selection.calibration ? probability : nil)
            .evaluate(split.test, in: split, scorer: scorer)
        var means = evaluation.means, perUser = evaluation.perCase
        if let c = evaluation.calibration { means["ece"] = c.expectedCalibrationError }
        if !selection.normalizedPCOUNT.isEmpty {
            let popularity = try Evaluator(metrics: selection.metrics.filter { $0 is PCOUNT })
                .evaluate(split.test, in: split, scorer: PopularityRecommender(split: split))
            for k in selection.normalizedPCOUNT { means["npcount@\(k)"] = evaluation.normalizedPCOUNT(k: k, popularity: popularity) }
        }
        for m in Array(perUser.keys) where !names.contains(m) { perUser[m] = nil; means[m] = nil }
        return (means, perUser)
    }
}
