import Foundation
import SeqRecCore
import SeqRecEval

/// One thesis table or figure, declared: what to run (rows × datasets × seeds), at which scale,
/// which metrics, the published values with their source and tolerance, and the trend checks
/// that decide at reduced scale. Loaded strictly from `experiments/specs/<id>.json`.
public struct ExperimentSpec: Codable, Sendable {
    public var id: String
    public var title: String
    /// `statistics` (Table 2.1), `memory` (Table 6.2), `training` (models), `scoring` (Fig. 7.2).
    public var kind: String
    /// Where the published numbers come from (thesis table, row, column).
    public var source: String
    public var description: String?
    public var datasets: [DatasetRef]?
    public var metrics: [String]
    public var seeds: [UInt64]?
    /// `smoke`, `reduced`, `full`.
    public var scales: [String: Scale]
    public var rows: [Row]
    /// Cartesian grid of config values; each row is expanded over it (Fig. 5.5's negatives × t).
    public var grid: [GridAxis]?
    public var published: [Published]?
    public var checks: [Check]?
    public var figure: Figure?
    /// Further figures of the same cells (e.g. Fig. 5.9's ECE heatmap beside Fig. 5.5's NDCG@10).
    public var figures: [Figure]?
    /// Training specs: also rank each test target among popularity-sampled negatives (thesis
    /// §3.4.4), reported as `sampled-pop100:<metric>` beside the full-catalogue metrics.
    public var sampledEvaluation: PopularitySampling?

    public struct DatasetRef: Codable, Sendable {
        public var name: String
        public var label: String?
        /// `user-item`, `gsasrec-split`, … (see `seqrec stats --help`).
        public var format: String?
        /// Relative to the repository root.
        public var path: String?
        /// Expected fingerprint; a mismatch stops the run.
        public var fingerprint: String?
        /// Settings of the embedded generator (`users`, `items`, `meanLength`, `seed`).
        public var synthetic: [String: Double]?
        public var minUser: Int?
        public var validationUsers: Int?
        /// Item genres for ILD (`item<TAB>genre|…`, relative to the repository root); default
        /// `item_genres.tsv` in a gsasrec-split directory, the generator's for synthetic data.
        public var genres: String?
    }

    public struct Scale: Codable, Sendable {
        public var description: String
        /// Dataset name used at this scale instead of each row's.
        public var dataset: String?
        /// Run-config overrides laid over every row at this scale.
        public var config: JSONValue?
        /// Run-config overrides for single rows at this scale, keyed by row id (a grid row's base
        /// id covers all its expansions), laid over `config` — e.g. fewer negatives for gSASRec on
        /// a small smoke catalogue, where the other rows keep theirs.
        public var rowConfig: [String: JSONValue]?
        /// The grid at this scale instead of the spec's (e.g. a coarser negatives × t grid for a
        /// quick smoke run); checks that apply here must name rows of this grid.
        public var grid: [GridAxis]?
        public var expectedMinutes: Double?
        /// Peak memory of one cell in GB (executors ask for 1.5× this per task).
        public var expectedMemoryGB: Double?
        public var seeds: [UInt64]?
        /// Scoring: catalogue sizes and queries per size.
        public var sizes: [Double]?
        public var queries: Int?
        /// Compare with the published values at this scale (full scale does by default).
        public var compare: Bool?
    }

    public struct Row: Codable, Sendable {
        public var id: String
        public var label: String?
        /// Training: the preset the config is laid over (`gsasrec-port` when absent; `seqrec models` lists them).
        public var preset: String?
        public var config: JSONValue?
        public var dataset: String?
        /// Memory: catalogue size; scoring: the method (`pq-topk`, `recjpq`, `dense`) and splits.
        public var items: Int?
        public var method: String?
        public var splits: Int?
        /// Non-training baselines: `popularity`, `mf-bpr`.
        public var group: String?
    }

    public struct GridAxis: Codable, Sendable {
        /// Dotted config key, e.g. `loss.negatives`.
        public var key: String
        public var values: [JSONValue]
    }

    /// A published value and how ours is judged against it (`VerdictRule`).
    public struct Published: Codable, Sendable {
        public var row: String
        public var metric: String
        public var value: Double
        /// Where the value is printed (table, row, column or the sentence); required, non-empty.
        public var source: String
        /// `se`, `relative`, `exact`, `absolute` or `reference` (see `VerdictRule`); default `se`
        /// for metrics with a standard error, else `relative` (`absolute` when `absoluteTolerance` is set).
        public var rule: String?
        /// Relative tolerance of the `relative` rule (default 0.05: the thesis's ±5 %).
        public var tolerance: Double?
        /// The `absolute` rule's tolerance.
        public var absoluteTolerance: Double?
        /// The value as printed in the source (`"2.44 GB"`, `"0.040%"`): shown in the table, and
        /// its digits after the decimal point are the precision ours is rounded to.
        public var printed: String?
        /// Ours is multiplied by this before comparing (units, e.g. 1/1024 for MB → GB).
        public var factor: Double?
        /// A footnote under the table (why the value is not comparable, or a caveat).
        public var note: String?
        /// The dataset the value was published for (default: whichever real dataset the row uses;
        /// never shown beside results on synthetic data).
        public var dataset: String?

        public init(row: String, metric: String, value: Double, source: String, rule: String? = nil,
                    tolerance: Double? = nil, absoluteTolerance: Double? = nil, printed: String? = nil,
                    factor: Double? = nil, note: String? = nil, dataset: String? = nil) {
            self.row = row; self.metric = metric; self.value = value; self.source = source; self.rule = rule
            self.tolerance = tolerance; self.absoluteTolerance = absoluteTolerance; self.printed = printed
            self.factor = factor; self.note = note; self.dataset = dataset
        }
    }

    public struct Check: Codable, Sendable {
        /// `greater` (row > than) or `increasing` (metric increases along rows).
        public var kind: String
        public var metric: String
        public var row: String?
        public var than: String?
        public var rows: [String]?
        /// Also require the paired t-test to be significant (Bonferroni-corrected).
        public var significant: Bool?
        public var description: String?
        /// Scales at which the check applies (default: all). A claim about one real dataset (e.g.
        /// Beauty's MF-BPR beating BERT4Rec) does not apply to the synthetic data of smoke scale.
        public var scales: [String]?
    }

    public struct Figure: Codable, Sendable {
        /// `line` or `heatmap`.
        public var kind: String
        public var file: String
        public var title: String?
        public var metric: String?
        /// Line: x = a row field (`items`), series = a row field (`method`); heatmap: x and y = grid keys.
        public var x: String?
        public var y: String?
        public var series: String?
        public var logX: Bool?
        public var logY: Bool?
        public var xLabel: String?
        public var yLabel: String?
        /// Only these rows (spec row ids; default all) — e.g. one panel per code length.
        public var rows: [String]?
        /// `calibration`: the deepest cutoff K of the probability@K vs Precision@K curve (default 100).
        public var depth: Int?
    }

    public static var kinds: [String] { CellKinds.registry.ids }
    public static let scaleNames = ["smoke", "reduced", "full"]

    /// Loads and validates a spec file.
    /// - Throws: `SpecError` naming the file with the unknown key, missing key or invalid value.
    public static func load(path: String) throws -> ExperimentSpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpecError(file: path, "cannot be read") }
        do {
            let raw = try JSONSerialization.jsonObject(with: data)
            try SpecSchema.spec.validate(raw, path: "spec")
            let spec = try JSONDecoder().decode(ExperimentSpec.self, from: data)
            try spec.validate()
            return spec
        } catch let e as ConfigError {
            throw SpecError(file: path, e.description)
        } catch let e as DecodingError {
            throw SpecError(file: path, "invalid value: \(e)")
        } catch let e as SpecError {
            throw SpecError(file: path, e.message)
        } catch let e as HyperparameterError {
            throw SpecError(file: path, e.description)
        } catch {
            throw SpecError(file: path, "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// Cross-references: kinds, scales, rows named by published values and checks, datasets.
    public func validate() throws {
        let cellKind = try CellKinds.registry.entry(kind)
        for s in scales.keys where !Self.scaleNames.contains(s) {
            throw ConfigError.unknownComponent(family: "scale", id: s, valid: Self.scaleNames)
        }
        var rowIDs: [String] = []   // every scale's rows, in spec order
        for id in ([nil] + scales.keys.sorted().map { Optional($0) }).flatMap({ expandedRows(scale: $0).map(\.id) }) where !rowIDs.contains(id) {
            rowIDs.append(id)
        }
        let datasetNames = (datasets ?? []).map(\.name)
        for (i, p) in (published ?? []).enumerated() {
            if !rowIDs.contains(String(p.row.split(separator: "@").first ?? "")) {
                throw ConfigError.unknownComponent(family: "row (published value)", id: p.row, valid: rowIDs)
            }
            try VerdictRule.validate(p, at: "published[\(i)]", hasStandardError: cellKind.hasStandardError(p.metric))
            if let d = p.dataset, !datasetNames.contains(d) {
                throw ConfigError.unknownComponent(family: "dataset (published[\(i)].dataset)", id: d, valid: datasetNames)
            }
        }
        for c in checks ?? [] {
            guard ["greater", "increasing"].contains(c.kind) else {
                throw ConfigError.unknownComponent(family: "check kind", id: c.kind, valid: ["greater", "increasing"])
            }
            for s in c.scales ?? [] where !Self.scaleNames.contains(s) {
                throw ConfigError.unknownComponent(family: "scale (check)", id: s, valid: Self.scaleNames)
            }
            for r in [c.row, c.than].compactMap({ $0 }) + (c.rows ?? []) where !rowIDs.contains(String(r.split(separator: "@").first ?? "")) {
                throw ConfigError.unknownComponent(family: "row (check)", id: r, valid: rowIDs)
            }
            // A check must name rows that exist at every scale it applies to.
            for s in (c.scales ?? scales.keys.sorted()) where scales[s] != nil {
                let here = expandedRows(scale: s).map(\.id)
                for r in [c.row, c.than].compactMap({ $0 }) + (c.rows ?? []) where !here.contains(String(r.split(separator: "@").first ?? "")) {
                    throw ConfigError.invalidValue(key: "checks (\(c.description ?? c.metric))",
                                                   message: "row `\(r)` does not exist at \(s) scale (its grid); restrict the check with `scales`")
                }
            }
        }
        // `sampled-popN:` metrics name the spec's sampled evaluation (N negatives).
        for m in metrics where m.hasPrefix("sampled-pop") {
            let n = m.dropFirst(11).prefix { $0.isNumber }
            guard let s = sampledEvaluation, String(s.negatives) == n else {
                throw ConfigError.invalidValue(key: "metrics (\(m))", message: sampledEvaluation.map { "the spec's sampledEvaluation draws \($0.negatives) negatives" }
                                               ?? "needs \"sampledEvaluation\": {\"negatives\": \(n), \"seed\": …}")
            }
        }
        for (name, scale) in scales.sorted(by: { $0.key < $1.key }) {
            for id in (scale.rowConfig ?? [:]).keys.sorted() where !rowIDs.contains(id) && !rows.contains(where: { $0.id == id }) {
                throw ConfigError.unknownComponent(family: "row (scales.\(name).rowConfig)", id: id, valid: rows.map(\.id))
            }
        }
        for name in rows.compactMap(\.dataset) + scales.values.compactMap(\.dataset) where !datasetNames.contains(name) {
            throw ConfigError.unknownComponent(family: "dataset", id: name, valid: datasetNames)
        }
        try cellKind.validate(self)
        for f in allFigures {
            for r in f.rows ?? [] where !rows.contains(where: { $0.id == r }) {
                throw ConfigError.unknownComponent(family: "row (figure \(f.file))", id: r, valid: rows.map(\.id))
            }
        }
        for f in allFigures where !["line", "heatmap", "calibration"].contains(f.kind) || (f.kind == "calibration" && kind != "training") {
            throw ConfigError.unknownComponent(family: "figure kind (\(kind) spec)", id: f.kind,
                                               valid: kind == "training" ? ["line", "heatmap", "calibration"] : ["line", "heatmap"])
        }
    }

    /// `figure` and `figures`.
    public var allFigures: [Figure] { [figure].compactMap { $0 } + (figures ?? []) }

    /// The rows, each expanded over the grid (ids `row/k=v/…`, configs with the grid values);
    /// at a scale with a grid of its own, over that one.
    public func expandedRows(scale: String? = nil) -> [Row] {
        let grid = scale.flatMap { scales[$0]?.grid } ?? self.grid
        guard let grid, !grid.isEmpty else { return rows }
        var out = rows
        for axis in grid {
            out = out.flatMap { r in
                axis.values.map { v in
                    var c = r
                    let short = axis.key.split(separator: ".").last.map(String.init) ?? axis.key
                    c.id = r.id + "/" + short + "=" + v.text
                    c.label = (r.label ?? r.id) + " " + short + "=" + v.text
                    c.config = (r.config ?? .object([:])).merged(with: JSONValue.dotted(axis.key, v))
                    return c
                }
            }
        }
        return out
    }
}

/// A spec that cannot be used, naming the file.
public typealias SpecError = FileError
