import SeqRecCompression
import SeqRecCore

/// Table 6.2: the analytic memory of RecJPQ item representations against dense tables.
enum MemoryCell {
    static let kind = CellKind(id: "memory", usesDataset: false, scaleChoosesDataset: false, perSeed: false, perSize: false,
                               pairedSignificance: false, validate: { _ in },
                               resolve: { _, cell in .object(["items": .number(Double(cell.row.items ?? 0))]) }) { _, cell, _, _ in
        var out = CellOutput()
        let r = MemoryAnalysis.row(dataset: cell.row.label ?? cell.row.id, items: cell.row.items ?? 0)
        out.metrics["baseMB"] = Double(r.baseBytes) / Double(1 << 20)
        for c in r.columns { out.metrics["m=\(c.m) %"] = c.percent }
        return out
    }
}
