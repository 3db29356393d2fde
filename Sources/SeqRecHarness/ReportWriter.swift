import Foundation
import SeqRecCore

/// Writes a report as Markdown (ours | published | Δ % | verdict), CSV, JSON and the spec's
/// figure (SVG), each atomically.
struct ReportWriter {
    let spec: ExperimentSpec
    let report: Report
    let directory: String

    func write() throws -> [String] {
        var files: [String] = []
        func put(_ name: String, _ data: Data) throws {
            try AtomicFile.write(data, to: directory + "/" + name)
            files.append(directory + "/" + name)
        }
        try put("table.md", Data(markdown().utf8))
        try put("table.csv", Data(csv().utf8))
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try put("table.json", e.encode(report))
        for f in spec.allFigures { if let svg = figure(f) { try put(f.file, Data(svg.utf8)) } }
        return files
    }

    /// ¹ ² ³ … for footnotes 1–9, [n] beyond.
    static func footnoteMark(_ n: Int) -> String {
        let marks = ["¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return n >= 1 && n <= 9 ? marks[n - 1] : "[\(n)]"
    }

    static func number(_ v: Double) -> String {
        let a: Double = Swift.abs(v)
        if v == v.rounded() && a >= 1 && a < 1e12 { return String(format: "%.0f", v) }
        if a >= 100 { return String(format: "%.1f", v) }
        if a >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.4f", v)
    }

    func markdown() -> String {
        var s = "# \(report.title)\n\n"
        s += "Spec `\(spec.id)` at **\(report.scale)** scale (\(report.scaleDescription)); machine: \(report.machine).\n"
        s += "Published values: \(report.source). "
        let shown = report.rows.contains { r in r.metrics.values.contains { $0.published != nil } }
        if !shown && (spec.published ?? []).isEmpty == false {
            s += "None is shown here: the data at this scale is not the data they were published for; the checks below decide.\n"
        } else {
            s += report.compared
                ? "Verdict (✓/✗): within two standard errors of ours for ranking metrics (± = standard error over the test users), "
                    + "within the stated tolerance or exact at the printed precision for deterministic ones.\n"
                : "At this scale the published values are shown for reference; the checks below decide.\n"
        }
        if report.rows.contains(where: { $0.metrics.values.contains { $0.standardError != nil } }) && !report.compared {
            s += "± = standard error over the test users.\n"
        }
        if (try? CellKinds.registry.entry(spec.kind))?.pairedSignificance == true { s += "† = significantly different from the best row on that metric (paired t-test, Bonferroni).\n" }
        s += "\n| Row | Dataset |" + spec.metrics.map { " \($0) |" }.joined() + "\n"
        s += "| --- | --- |" + spec.metrics.map { _ in " --- |" }.joined() + "\n"
        for r in report.rows {
            s += "| \(r.label)\(r.items.map { " @ \($0)" } ?? "") | \(r.dataset.isEmpty ? "–" : r.dataset) |"
            if let skipped = r.skipped { s += spec.metrics.map { _ in " skipped: \(skipped) |" }.joined() + "\n"; continue }
            for m in spec.metrics {
                guard let st = r.metrics[m] else { s += " – |"; continue }
                var cell: String = Self.number(st.mean)
                if let se = st.standardError { cell += " ± " + Self.number(se) } else if st.n > 1 { cell += " (sd " + Self.number(st.sd) + ")" }
                if st.significant == true { cell += "†" }
                if let p = st.published {
                    let delta: Double = st.deltaPercent ?? 0
                    cell += " (pub " + (st.publishedText ?? Self.number(p))
                    cell += delta.isNaN ? ", Δ " + String(format: "%+.4g", st.mean - p) : String(format: ", Δ %+.1f%%", delta)
                    if let n = st.note { cell += Self.footnoteMark(n) }
                    let verdict = st.verdict ?? ""
                    if report.compared && verdict.hasPrefix("within") { cell += " ✓" }
                    if report.compared && verdict.hasPrefix("outside") { cell += " ✗" }
                    cell += ")"
                }
                s += " \(cell) |"
            }
            s += "\n"
        }
        if !report.notes.isEmpty {
            s += "\n" + report.notes.enumerated().map { Self.footnoteMark($0.offset + 1) + " " + $0.element }.joined(separator: "\n") + "\n"
        }
        if !report.checks.isEmpty {
            s += "\n## Checks\n\n"
            for c in report.checks {
                s += "- \(!c.applicable ? "–" : c.passed ? "✓" : "✗") \(c.description): \(c.detail)\n"
            }
        }
        return s
    }

    func csv() -> String {
        var s = "row,label,dataset,items,metric,mean,sd,n,standard_error,significant,published,delta_percent,verdict,source\n"
        func q(_ t: String) -> String { t.contains(",") || t.contains("\"") ? "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : t }
        for r in report.rows {
            for m in spec.metrics {
                guard let st = r.metrics[m] else { continue }
                var fields: [String] = [r.id, r.label, r.dataset]
                fields.append(r.items.map { String($0) } ?? "")
                fields += [m, String(st.mean), String(st.sd), String(st.n), st.standardError.map { String($0) } ?? ""]
                fields.append(st.significant.map { String($0) } ?? "")
                fields.append(st.published.map { String($0) } ?? "")
                fields.append(st.deltaPercent.map { String(format: "%.3f", $0) } ?? "")
                fields.append(st.verdict ?? "")
                fields.append(st.publishedSource ?? "")
                s += fields.map(q).joined(separator: ",") + "\n"
            }
        }
        return s
    }

    func figure(_ f: ExperimentSpec.Figure) -> String? {
        let metric = f.metric ?? spec.metrics.first ?? ""
        let rows = report.rows.filter { r in
            f.rows.map { $0.contains(String(r.id.split(separator: "@").first ?? "")) || $0.contains(String(r.id.split(separator: "/").first ?? "")) } ?? true
        }
        if f.kind == "calibration" {
            // Per row: (mean probability@K, Precision@K) and Theorem 5.5.1's prediction.
            var series: [(String, [(Double, Double)])] = []
            for r in rows {
                guard let c = r.curves, let p = c["probability@K"], let q = c["precision@K"] else { continue }
                series.append((r.label, zip(p, q).map { ($0, $1) }))
                if let tp = c["theory probability"], let tq = c["theory precision"] {
                    series.append((r.label + " — Theorem 5.5.1", zip(tp, tq).map { ($0, $1) }))
                }
            }
            return SVGChart.line(title: f.title ?? report.title, xLabel: f.xLabel ?? "mean predicted probability@K",
                                 yLabel: f.yLabel ?? "mean Precision@K", series: series, logX: f.logX ?? false, logY: f.logY ?? false)
        }
        if f.kind == "line" {
            // Series by row label, x = catalogue size (scoring) or the row's x field.
            var series: [String: [(Double, Double)]] = [:]
            for r in rows {
                guard let x = r.items.map(Double.init), let y = r.metrics[metric]?.mean else { continue }
                series[r.label, default: []].append((x, y))
            }
            return SVGChart.line(title: f.title ?? report.title, xLabel: f.xLabel ?? "items", yLabel: f.yLabel ?? metric,
                                 series: series.keys.sorted().map { ($0, series[$0]!.sorted { $0.0 < $1.0 }) },
                                 logX: f.logX ?? true, logY: f.logY ?? true)
        }
        // Heatmap over two grid keys: rows are `base/x=…/y=…`.
        guard let xKey = f.x, let yKey = f.y else { return nil }
        func value(_ id: String, _ key: String) -> String? {
            id.split(separator: "/").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
        let xs = Self.ordered(rows.compactMap { value($0.id, xKey) }), ys = Self.ordered(rows.compactMap { value($0.id, yKey) })
        var grid = [[Double?]](repeating: [Double?](repeating: nil, count: xs.count), count: ys.count)
        for r in rows {
            guard let x = value(r.id, xKey), let y = value(r.id, yKey), let v = r.metrics[metric]?.mean,
                  let i = ys.firstIndex(of: y), let j = xs.firstIndex(of: x) else { continue }
            grid[i][j] = v
        }
        return SVGChart.heatmap(title: f.title ?? report.title, xLabel: f.xLabel ?? xKey, yLabel: f.yLabel ?? yKey,
                                xs: xs, ys: ys, values: grid, metric: metric)
    }

    /// Distinct values in numeric order where they are numbers.
    static func ordered(_ values: [String]) -> [String] {
        var seen: [String] = []
        for v in values where !seen.contains(v) { seen.append(v) }
        return seen.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
    }
}
