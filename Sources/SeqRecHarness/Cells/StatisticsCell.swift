import SeqRecCore

/// Table 2.1: a dataset's statistics (users, items, interactions, lengths, long tail).
enum StatisticsCell {
    static let kind = CellKind(id: "statistics", usesDataset: true, scaleChoosesDataset: false, perSeed: false, perSize: false,
                               pairedSignificance: false, validate: { _ in }, resolve: { _, _ in .object([:]) }) { runner, cell, _, _ in
        var out = CellOutput()
        guard let ref = cell.dataset, let (split, stats) = try runner.loader.load(ref) else {
            out.skipped = "dataset files absent"
            return out
        }
        out.fingerprint = split.dataset.fingerprint.description
        out.metrics = ["users": Double(stats.users), "items": Double(stats.items), "interactions": Double(stats.interactions),
                       "meanLength": stats.meanLength, "medianLength": stats.medianLength, "longTailPercent": stats.longTailPercent]
        return out
    }
}
