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

    /// One cell of the plan: its cache key, result file and a readable name.
    public struct PlannedCell: Sendable {
        /// 1-based position in the plan.
        public let index: Int
        /// The content hash of the cell's config: its cache key.
        public let key: String
        /// Where its result is written.
        public let path: String
        /// e.g. `gsasrec @100000 seed 42`.
        public let name: String
        let cell: Cell
        let config: JSONValue

        /// True when its result is in the cache.
        public var isComputed: Bool { CellResult.read(path: path) != nil }
    }

    /// The plan: rows, cells in run order, and the runner that computes them.
    struct Plan {
        let scale: ExperimentSpec.Scale
        let rows: [ExperimentSpec.Row]
        let cells: [PlannedCell]
        var runner: CellRunner
        let environment: RunEnvironment
    }

    func makePlan(log: @escaping (String) -> Void) throws -> Plan {
        let scale = spec.scales[scaleName]!
        let loader = DatasetLoader(root: root)
        let environment = RunEnvironment.capture(blas: BLAS.buildDescription)
        let runner = CellRunner(spec: spec, scale: scale, scaleName: scaleName, loader: loader,
                                runsDirectory: outputDirectory + "/runs", environment: environment, log: log)
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
        // Every cell's config is resolved (strictly) before any cell runs: a typo or an unknown
        // model in any row fails the run with nothing written.
        let planned = try cells.enumerated().map { (i, cell) in
            let config = try runner.resolvedConfig(cell)
            let key = try runner.key(cell, config: config)
            return PlannedCell(index: i + 1, key: key, path: outputDirectory + "/cells/" + key + ".json",
                               name: "\(cell.row.id)\(cell.items.map { " @\($0)" } ?? "") seed \(cell.seed)", cell: cell, config: config)
        }
        return Plan(scale: scale, rows: rows, cells: planned, runner: runner, environment: environment)
    }

    /// Every cell of the run, in order, with its key (for executors that run cells elsewhere).
    public func plannedCells() throws -> [PlannedCell] { try makePlan(log: { _ in }).cells }

    /// The planned cells whose result is not in the cache yet.
    public func pendingCells() throws -> [PlannedCell] { try plannedCells().filter { !$0.isComputed } }

    /// Computes the one cell with this key (unless already cached) and writes its result.
    /// - Returns: false when it was already in the cache.
    /// - Throws: `ConfigError.unknownComponent` when no cell of the run has this key.
    @discardableResult
    public func runCell(key: String, log: @escaping (String) -> Void = { _ in }, display: ProgressDisplay? = nil) throws -> Bool {
        var plan = try makePlan(log: log)
        let matches = plan.cells.filter { $0.key == key || key.count >= 8 && $0.key.hasPrefix(key) }
        guard matches.count == 1, let c = matches.first else {
            throw ConfigError.unknownComponent(family: "cell of \(spec.id) at \(scaleName) scale" + (matches.count > 1 ? " (ambiguous prefix)" : ""),
                                               id: key, valid: plan.cells.map(\.key))
        }
        if CellResult.read(path: c.path) != nil { return false }
        plan.runner.display = display
        _ = try compute(c, total: plan.cells.count, runner: &plan.runner, log: log, display: display)
        return true
    }

    private func compute(_ c: PlannedCell, total: Int, runner: inout CellRunner, log: (String) -> Void,
                         display: ProgressDisplay?) throws -> CellResult {
        log("[\(c.index)/\(total)] \(c.name): running")
        runner.cellLabel = "[\(c.index)/\(total)] \(c.name)"
        let r: CellResult
        do {
            defer { display?.finish() }
            r = try runner.compute(c.cell, key: c.key, config: c.config)
        }
        try r.write(to: c.path)
        log("[\(c.index)/\(total)] \(c.name): done in \(String(format: "%.1f", r.record.seconds)) s"
            + (r.skipped.map { " (skipped: \($0))" } ?? ""))
        return r
    }

    /// Writes the table from the cells in the cache. With `allowMissing`, rows whose cells are not
    /// computed yet are shown as such; otherwise a missing cell is an error naming it.
    public func collect(allowMissing: Bool = false) throws -> Outcome {
        let plan = try makePlan(log: { _ in })
        var done: [(Cell, CellResult)] = []
        var missing: [PlannedCell] = []
        for c in plan.cells {
            if let r = CellResult.read(path: c.path) { done.append((c.cell, r)) } else { missing.append(c) }
        }
        if !missing.isEmpty && !allowMissing {
            throw HarnessError("\(missing.count) of \(plan.cells.count) cells not computed yet: "
                               + missing.prefix(5).map { "\($0.name) (\($0.key.prefix(12)))" }.joined(separator: ", ")
                               + (missing.count > 5 ? ", …" : ""))
        }
        return try write(plan, cells: done.map(\.0), results: done.map(\.1), computed: 0, cached: done.count)
    }

    private func write(_ plan: Plan, cells: [Cell], results: [CellResult], computed: Int, cached: Int) throws -> Outcome {
        let report = aggregate(rows: plan.rows, cells: cells, results: results, scale: plan.scale, environment: plan.environment)
        let writer = ReportWriter(spec: spec, report: report, directory: outputDirectory)
        let files = try writer.write()
        return Outcome(report: report, computed: computed, cached: cached, files: files, markdown: writer.markdown())
    }

    /// - Parameters:
    ///   - log: permanent lines (a cell started, cached, done; warnings).
    ///   - display: the status line of a training cell in progress (nil: none).
    public func run(log: @escaping (String) -> Void = { _ in }, display: ProgressDisplay? = nil) throws -> Outcome {
        var plan = try makePlan(log: log)
        plan.runner.display = display
        var results: [CellResult] = []
        var computed = 0, cached = 0
        for c in plan.cells {
            if let hit = CellResult.read(path: c.path) {
                cached += 1
                results.append(hit)
                log("[\(c.index)/\(plan.cells.count)] \(c.name): cached")
                continue
            }
            results.append(try compute(c, total: plan.cells.count, runner: &plan.runner, log: log, display: display))
            computed += 1
        }
        return try write(plan, cells: plan.cells.map(\.cell), results: results, computed: computed, cached: cached)
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
                                              items: items, metrics: metrics,
                                              skipped: usable.isEmpty ? (mine.first?.skipped ?? "not computed yet") : nil,
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
            // Each value beside its row (without a row id's shared first component), so the order
            // the check compares is readable whatever its description says.
            let parts = ids.map { $0.split(separator: "/", maxSplits: 1) }
            let shared = Set(parts.map { $0.first ?? "" }).count == 1
            let names = zip(ids, parts).map { shared && $1.count == 2 ? String($1[1]) : $0 }
            let increasing = zip(v, v.dropFirst()).allSatisfy { $0 < $1 }
            return .init(description: text, passed: increasing,
                         detail: zip(names, v).map { "\($0) \(String(format: "%.4f", $1))" }.joined(separator: " → ")
                             + (increasing ? "" : " (not increasing)"))
        }
    }
}
