import Foundation
import SeqRecCore
import SeqRecEval
import SeqRecTensor

/// Runs a spec at one scale: every cell is computed or taken from the cache (keyed by content
/// hash), each written atomically as soon as it finishes, so an interrupted run loses at most
/// the cell in progress (training cells even resume from their last epoch). Then aggregates
/// over seeds, compares with the published values, runs the checks and writes
/// `experiments/results/<spec>/<scale>/` — table.md, table.csv, table.json and the figure.
public struct Reproduction {
    public let spec: ExperimentSpec
    public let scaleName: String
    /// The repository root: dataset paths and `experiments/results` are relative to it.
    public let root: String
    /// Restrict to rows whose id starts with one of these.
    public var only: [String]? = nil

    public init(spec: ExperimentSpec, scale: String, root: String, only: [String]? = nil) throws {
        guard let _ = spec.scales[scale] else {
            throw ConfigError.unknownComponent(family: "scale of \(spec.id)", id: scale, valid: spec.scales.keys.sorted())
        }
        self.spec = spec
        self.scaleName = scale
        self.root = root
        self.only = only
    }

    public var outputDirectory: String { root + "/experiments/results/" + spec.id + "/" + scaleName }

    /// What a run did: cells computed now and taken from the cache.
    public struct Outcome {
        public let report: Report
        public let computed: Int
        public let cached: Int
        public let files: [String]
        /// The Markdown table, as written to `table.md`.
        public let markdown: String
    }

    /// - Parameters:
    ///   - log: permanent lines (a cell started, cached, done; warnings).
    ///   - display: the status line of a training cell in progress (nil: none).
    public func run(log: @escaping (String) -> Void = { _ in }, display: ProgressDisplay? = nil) throws -> Outcome {
        let scale = spec.scales[scaleName]!
        let loader = DatasetLoader(root: root)
        let environment = RunEnvironment.capture(blas: BLAS.buildDescription)
        var runner = CellRunner(spec: spec, scale: scale, scaleName: scaleName, loader: loader,
                                runsDirectory: outputDirectory + "/runs", environment: environment, log: log)
        runner.display = display
        let datasets = Dictionary((spec.datasets ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = spec.expandedRows(scale: scaleName).filter { r in only.map { $0.contains { r.id.hasPrefix($0) } } ?? true }
        if let only, rows.isEmpty {
            throw ConfigError.unknownComponent(family: "row", id: only.joined(separator: ","), valid: spec.expandedRows(scale: scaleName).map(\.id))
        }
        let seeds = scale.seeds ?? spec.seeds ?? [42]
        let kind = runner.kind
        var cells: [Cell] = []
        for r in rows {
            var ds: ExperimentSpec.DatasetRef? = spec.datasets?.first
            if let name = r.dataset, let d = datasets[name] { ds = d }
            if kind.scaleChoosesDataset, let name = scale.dataset, let d = datasets[name] { ds = d }
            let sizes: [Int?] = kind.perSize ? (scale.sizes ?? []).map { Int($0) } : [nil]
            for size in sizes { for seed in (kind.perSeed ? seeds : [seeds[0]]) {
                cells.append(Cell(row: r, dataset: kind.usesDataset ? ds : nil, seed: seed, items: size))
            } }
        }
        if kind.perSize {   // by size, then in spec order (one size's catalogue is built once)
            let order = Dictionary(rows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            cells.sort { (a: Cell, b: Cell) -> Bool in
                let x: Int = a.items ?? 0, y: Int = b.items ?? 0
                return x != y ? x < y : order[a.row.id, default: 0] < order[b.row.id, default: 0]
            }
        }
        var results: [CellResult] = []
        var computed = 0, cached = 0
        // Every cell's config is resolved (strictly) before any cell runs: a typo or an unknown
        // model in any row fails the run with nothing written.
        let planned = try cells.map { cell in
            let config = try runner.resolvedConfig(cell)
            return (config: config, key: try runner.key(cell, config: config))
        }
        for (i, cell) in cells.enumerated() {
            let (config, key) = planned[i]
            let path = outputDirectory + "/cells/" + key + ".json"
            let name = "\(cell.row.id)\(cell.items.map { " @\($0)" } ?? "") seed \(cell.seed)"
            if let hit = CellResult.read(path: path) {
                cached += 1
                results.append(hit)
                log("[\(i + 1)/\(cells.count)] \(name): cached")
                continue
            }
            log("[\(i + 1)/\(cells.count)] \(name): running")
            runner.cellLabel = "[\(i + 1)/\(cells.count)] \(name)"
            let r: CellResult
            do {
                defer { display?.finish() }
                r = try runner.compute(cell, key: key, config: config)
            }
            try r.write(to: path)
            computed += 1
            results.append(r)
            log("[\(i + 1)/\(cells.count)] \(name): done in \(String(format: "%.1f", r.record.seconds)) s"
                + (r.skipped.map { " (skipped: \($0))" } ?? ""))
        }
        let report = aggregate(rows: rows, cells: cells, results: results, scale: scale, environment: environment)
        let writer = ReportWriter(spec: spec, report: report, directory: outputDirectory)
        let files = try writer.write()
        return Outcome(report: report, computed: computed, cached: cached, files: files, markdown: writer.markdown())
    }

    func aggregate(rows: [ExperimentSpec.Row], cells: [Cell], results: [CellResult], scale: ExperimentSpec.Scale,
                   environment: RunEnvironment) -> Report {
        let compared = scale.compare ?? (scaleName == "full")
        var outcomes: [Report.RowOutcome] = []
        var perUser: [String: [String: [Double]]] = [:]
        var groups: [(String, Int?)] = []
        for c in cells where !groups.contains(where: { $0.0 == c.row.id && $0.1 == c.items }) { groups.append((c.row.id, c.items)) }
        for (rowID, items) in groups {
            let row = rows.first { $0.id == rowID }!
            var mine: [CellResult] = []
            for (c, r) in zip(cells, results) where c.row.id == rowID && c.items == items { mine.append(r) }
            let usable = mine.filter { $0.skipped == nil }
            var metrics: [String: Report.Stat] = [:]
            let names = Set(usable.flatMap(\.metrics.keys))
            for m in names { metrics[m] = Report.stat(usable.compactMap { $0.metrics[m] }) }
            let id = items.map { "\(rowID)@\($0)" } ?? rowID
            // Per-user vectors averaged over seeds, for the paired tests and the standard errors.
            if let first = usable.first?.perUser {
                var avg: [String: [Double]] = [:]
                for (m, v) in first {
                    let all = usable.compactMap { $0.perUser?[m] }.filter { $0.count == v.count }
                    avg[m] = (0..<v.count).map { i in all.map { $0[i] }.reduce(0, +) / Double(all.count) }
                    metrics[m]?.standardError = StandardError.ofMean(avg[m]!)
                }
                perUser[id] = avg
            }
            // Standard errors recorded by the cells (the mean of n seeds: √Σse² / n).
            for m in Set(usable.flatMap { ($0.standardErrors ?? [:]).keys }) {
                let se = usable.compactMap { $0.standardErrors?[m] }
                if se.count == usable.count { metrics[m]?.standardError = se.map { $0 * $0 }.reduce(0, +).squareRoot() / Double(se.count) }
            }
            outcomes.append(Report.RowOutcome(id: id, label: row.label ?? row.id, dataset: mine.first?.dataset ?? "",
                                              items: items, metrics: metrics, skipped: usable.isEmpty ? mine.first?.skipped : nil,
                                              curves: usable.first?.curves))
        }
        if (try? CellKinds.registry.entry(spec.kind))?.pairedSignificance == true { Report.markSignificance(&outcomes, perUser: perUser, metrics: spec.metrics) }
        // Published values: beside a row only where the data matches (never on synthetic data).
        let kind = try? CellKinds.registry.entry(spec.kind)
        let datasets = Dictionary((spec.datasets ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var notes: [String] = []
        for p in spec.published ?? [] {
            guard let i = outcomes.firstIndex(where: { $0.id == p.row }), var s = outcomes[i].metrics[p.metric] else { continue }
            let dataset = outcomes[i].dataset
            if datasets[dataset]?.synthetic != nil { continue }
            if let d = p.dataset, d != dataset { continue }
            let hasSE = kind?.hasStandardError(p.metric) ?? false
            let rule = VerdictRule.of(p, hasStandardError: hasSE)
            let x = s.mean * (p.factor ?? 1)
            s.published = p.value
            s.publishedText = p.printed
            s.publishedSource = p.source
            s.rule = rule.rawValue
            s.tolerance = rule == .relative ? (p.tolerance ?? 0.05) : nil
            s.deltaPercent = p.value == 0 ? .nan : 100 * (x - p.value) / Swift.abs(p.value)
            if let judged = VerdictRule.judge(p, ours: s.mean, standardError: s.standardError, hasStandardError: hasSE) {
                s.verdict = compared ? (judged.passed ? "within " : "outside ") + judged.band : "reference only (\(scaleName) scale)"
            } else {
                s.verdict = "reference"
            }
            if let note = p.note {
                if let k = notes.firstIndex(of: note) { s.note = k + 1 } else { notes.append(note); s.note = notes.count }
            }
            outcomes[i].metrics[p.metric] = s
        }
        let specChecks: [ExperimentSpec.Check] = spec.checks ?? []
        // Bonferroni over the checks that apply at this scale.
        let applicable = specChecks.filter { $0.scales?.contains(scaleName) ?? true }
        let checks: [Report.CheckOutcome] = specChecks.map { c in
            guard c.scales?.contains(scaleName) ?? true else {
                return .init(description: c.description ?? c.metric, passed: false,
                             detail: "applies at \(c.scales!.joined(separator: ", ")) scale", applicable: false)
            }
            return Checks.evaluate(c, outcomes: outcomes, perUser: perUser, checkCount: applicable.count)
        }
        return Report(spec: spec.id, title: spec.title, source: spec.source, scale: scaleName, scaleDescription: scale.description,
                      machine: environment.machine + ", \(environment.threads) threads", rows: outcomes,
                      checks: checks, compared: compared, notes: notes)
    }
}

/// Trend checks: the verdicts of reduced-scale runs.
enum Checks {
    static func evaluate(_ c: ExperimentSpec.Check, outcomes: [Report.RowOutcome], perUser: [String: [String: [Double]]],
                         checkCount: Int) -> Report.CheckOutcome {
        func mean(_ id: String) -> Double? { outcomes.first { $0.id == id }?.metrics[c.metric]?.mean }
        // Rows that were not run (`--only`) or were skipped (dataset files absent) make the check
        // not applicable rather than failed: nothing was measured that could contradict it.
        let needed = [c.row, c.than].compactMap { $0 } + (c.rows ?? [])
        let text0 = c.description ?? c.metric
        if let missing = needed.first(where: { id in !outcomes.contains { $0.id == id } }) {
            return .init(description: text0, passed: false, detail: "not run: row \(missing) was not selected", applicable: false)
        }
        if let skipped = outcomes.first(where: { needed.contains($0.id) && $0.skipped != nil }) {
            return .init(description: text0, passed: false, detail: "not run: \(skipped.id) skipped (\(skipped.skipped!))", applicable: false)
        }
        switch c.kind {
        case "greater":
            let a = c.row ?? "", b = c.than ?? ""
            let text = c.description ?? "\(a) > \(b) on \(c.metric)" + (c.significant == true ? " (significant)" : "")
            guard let ma = mean(a), let mb = mean(b) else { return .init(description: text, passed: false, detail: "missing results") }
            var passed = ma > mb, detail = String(format: "%.4f vs %.4f", ma, mb)
            if c.significant == true {
                if let va = perUser[a]?[c.metric], let vb = perUser[b]?[c.metric], va.count == vb.count {
                    let t = SignificanceTest.pairedT(va, vb, comparisons: checkCount)
                    passed = passed && t.significant
                    detail += String(format: ", paired t-test p = %.3g (Bonferroni × %d)", t.pValue, checkCount)
                } else {
                    passed = false
                    detail += ", no paired per-user results"
                }
            }
            return .init(description: text, passed: passed, detail: detail)
        default:
            let ids = c.rows ?? []
            let text = c.description ?? "\(c.metric) increases along \(ids.joined(separator: " → "))"
            let values = ids.map(mean)
            guard values.allSatisfy({ $0 != nil }) else { return .init(description: text, passed: false, detail: "missing results") }
            let v = values.map { $0! }
            return .init(description: text, passed: zip(v, v.dropFirst()).allSatisfy { $0 < $1 },
                         detail: v.map { String(format: "%.4f", $0) }.joined(separator: " → "))
        }
    }
}
