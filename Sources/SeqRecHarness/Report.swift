import Foundation
import SeqRecEval

/// A spec's outcome at one scale: per row and metric our mean ± sd over seeds, significance,
/// the published value with Δ % and verdict, and the trend checks.
public struct Report: Codable, Sendable {
    public var spec: String
    public var title: String
    public var source: String
    public var scale: String
    public var scaleDescription: String
    public var machine: String
    public var rows: [RowOutcome]
    public var checks: [CheckOutcome]
    /// True when published values are compared at this scale (full scale, or a spec's choice).
    public var compared: Bool
    /// Footnotes of published values (`Stat.note` numbers them from 1).
    public var notes: [String] = []

    public struct RowOutcome: Codable, Sendable {
        public var id: String
        public var label: String
        public var dataset: String
        public var items: Int?
        public var metrics: [String: Stat]
        public var skipped: String?
        /// The first seed's curves (`CellResult.curves`).
        public var curves: [String: [Double]]? = nil
    }

    public struct Stat: Codable, Sendable {
        public var mean: Double
        /// Sample standard deviation over seeds.
        public var sd: Double
        /// Seeds.
        public var n: Int
        /// Standard error of the mean over test users (per-user values averaged over seeds).
        public var standardError: Double?
        /// Significantly different from the best row on this metric (paired t-test, Bonferroni).
        public var significant: Bool?
        public var published: Double?
        /// The published value as printed in its source (`2.44 GB`).
        public var publishedText: String?
        public var publishedSource: String?
        /// The `VerdictRule` used.
        public var rule: String?
        public var tolerance: Double?
        /// (ours × factor − published) / published, in %.
        public var deltaPercent: Double?
        /// `within 2 SE (±0.0183)`, `outside ±5%`, `reference`, or `reference only (reduced scale)`.
        public var verdict: String?
        /// Number of the footnote in `Report.notes`.
        public var note: Int?
    }

    public struct CheckOutcome: Codable, Sendable {
        public var description: String
        /// Meaningful only where `applicable`.
        public var passed: Bool
        public var detail: String
        /// False at a scale the check does not apply to (its `scales`).
        public var applicable: Bool = true
    }

    /// Checks that apply at this scale and failed.
    public var failedChecks: [CheckOutcome] { checks.filter { $0.applicable && !$0.passed } }
}

extension Report {
    /// Mean and sample standard deviation.
    static func stat(_ values: [Double]) -> Stat {
        let n = values.count
        let mean = values.reduce(0, +) / Double(max(n, 1))
        let sd = n > 1 ? (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot() : 0
        return Stat(mean: mean, sd: sd, n: n)
    }

    /// The verdict of one published comparison: |Δ| within the relative tolerance.
    public static func verdict(ours: Double, published: Double, tolerance: Double) -> (delta: Double, passed: Bool) {
        let delta = published == 0 ? (ours == 0 ? 0 : .infinity) : (ours - published) / Swift.abs(published)
        return (100 * delta, Swift.abs(delta) <= tolerance + 1e-12)
    }

    /// Marks, per dataset and metric, the rows significantly different from the best row.
    static func markSignificance(_ rows: inout [RowOutcome], perUser: [String: [String: [Double]]], metrics: [String]) {
        let datasets = Set(rows.map(\.dataset))
        for ds in datasets {
            let idx = rows.indices.filter { rows[$0].dataset == ds && rows[$0].skipped == nil }
            let comparisons = max(1, (idx.count - 1) * metrics.count)
            for m in metrics {
                guard let best = idx.max(by: { (rows[$0].metrics[m]?.mean ?? -.infinity) < (rows[$1].metrics[m]?.mean ?? -.infinity) }),
                      let b = perUser[rows[best].id]?[m] else { continue }
                for i in idx where i != best {
                    guard let v = perUser[rows[i].id]?[m], v.count == b.count, rows[i].metrics[m] != nil else { continue }
                    rows[i].metrics[m]!.significant = SignificanceTest.pairedT(v, b, comparisons: comparisons).significant
                }
            }
        }
    }
}
