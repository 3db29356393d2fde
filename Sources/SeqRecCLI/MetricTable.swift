import SeqRecEval

/// A Markdown table of the selected metrics, one row per model; nPCOUNT@K is computed against
/// the popularity result given with the row.
enum MetricTable {
    static func render(names: [String], rows: [(String, EvaluationResult, EvaluationResult?)]) -> String {
        var s = "| Model | " + names.joined(separator: " | ") + " |\n| --- |" + String(repeating: " --- |", count: names.count) + "\n"
        for (label, r, popularity) in rows {
            let means = r.means
            let cells = names.map { name -> String in
                if name == "ece" { return r.calibration.map { String(format: "%.4f", $0.expectedCalibrationError) } ?? "–" }
                if name.hasPrefix("npcount@"), let k = Int(name.dropFirst(8)), let p = popularity {
                    return r.normalizedPCOUNT(k: k, popularity: p).map { String(format: "%.4f", $0) } ?? "–"
                }
                return means[name].map { String(format: "%.4f", $0) } ?? "–"
            }
            s += "| \(label) | " + cells.joined(separator: " | ") + " |\n"
        }
        return s
    }
}
