import SeqRecCore

/// The reference: every item's PQ score Σₖ S[k, G[i, k]] (summed in split order, like every PQ
/// scorer here), then a full sort. Slow and simple; the scorers are tested against it.
public struct ExhaustivePQScorer: TopKScorer {
    public static let id = "exhaustive-pq"
    public let catalogue: PQCatalogue

    public init(catalogue: PQCatalogue) { self.catalogue = catalogue }

    public func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem] {
        try ScorerSupport.validate(k: k, items: catalogue.items)
        let s = try catalogue.subIDScores(query)
        let m = catalogue.splits, b = catalogue.subIDs
        let skip = Set(excluded)
        var all: [ScoredItem] = []
        for i in 0..<catalogue.items where !skip.contains(Int32(i)) {
            var acc: Float = 0
            for kk in 0..<m { acc += s[kk * b + Int(catalogue.codes[i * m + kk])] }
            all.append(ScoredItem(item: Int32(i), score: acc))
        }
        all.sort { TopKSelector.before($0.score, $0.item, $1.score, $1.item) }
        return Array(all.prefix(k))
    }
}
