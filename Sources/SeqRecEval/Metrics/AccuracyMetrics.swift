import SeqRecCore
/// NDCG@K with one relevant item: 1/log2(rank + 1) if rank ≤ K (thesis §2.4.2), expected
/// over random tie-breaking.
public struct NDCG: Metric {
    public let k: Int
    public init(k: Int) { self.k = k }
    public var name: String { "ndcg@\(k)" }
    public var depth: Int { k }
    public func value(_ c: RankedCase) -> Double { c.discountedGain(at: k) }
}

/// Recall@K — the thesis's name for hit rate with one held-out item: 1 if rank ≤ K.
public struct Recall: Metric {
    public let k: Int
    public init(k: Int) { self.k = k }
    public var name: String { "recall@\(k)" }
    public var depth: Int { k }
    public func value(_ c: RankedCase) -> Double { c.hit(at: k) }
}

/// Precision@K with one relevant item: Recall@K / K.
public struct Precision: Metric {
    public let k: Int
    public init(k: Int) { self.k = k }
    public var name: String { "precision@\(k)" }
    public var depth: Int { k }
    public func value(_ c: RankedCase) -> Double { c.hit(at: k) / Double(k) }
}

/// Mean reciprocal rank over the full ranking (no cutoff).
public struct MRR: Metric {
    public init() {}
    public var name: String { "mrr" }
    public var depth: Int { 1 }
    public func value(_ c: RankedCase) -> Double { c.reciprocalRank }
}
