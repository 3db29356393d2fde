import SeqRecCore
import SeqRecData
import SeqRecEval

/// A registered baseline: its id and how to fit it on a split with a seed (the settings the
/// thesis's tables use).
public struct BaselineEntry: Registered {
    public let id: String
    public let summary: String
    public let make: (DatasetSplit, UInt64) throws -> any ItemScorer
}

public enum Baselines {
    /// Every baseline: one line each.
    public static let registry = Registry<BaselineEntry>(family: "baseline", [
        BaselineEntry(id: "popularity", summary: "training interactions per item") { split, _ in PopularityRecommender(split: split) },
        BaselineEntry(id: "mf-bpr", summary: "matrix factorisation with BPR, 128 factors, 20 epochs (Tables 3.4, 5.2)") { split, seed in
            try MatrixFactorizationBPR(split: split, config: .init(factors: 128, epochs: 20, seed: seed))
        },
    ])
}
