/// A bounded selection of the K best (score, id) pairs, streamed one candidate at a time.
/// Shared by evaluation and every item scorer, so all top-K lists break ties the same way.
///
/// Order (the tie policy of every top-K list in SeqRec): higher score first; equal scores by
/// lower internal id. NaN scores are rejected upstream.
public struct TopKSelector {
    public let k: Int
    private var scores: [Float] = []
    private var ids: [Int32] = []

    public init(k: Int) {
        self.k = k
        scores.reserveCapacity(k)
        ids.reserveCapacity(k)
    }

    /// True if (s, id) ranks before (t, jd).
    @inline(__always)
    public static func before(_ s: Float, _ id: Int32, _ t: Float, _ jd: Int32) -> Bool { s > t || (s == t && id < jd) }

    /// The worst kept score once full (−∞ before), for cheap rejection.
    @inline(__always)
    public var threshold: Float { scores.count < k ? -.infinity : scores[0] }

    /// Offers one candidate. Min-heap on rank order: the root is the worst kept entry.
    @inline(__always)
    public mutating func offer(_ s: Float, _ id: Int32) {
        if scores.count < k {
            scores.append(s)
            ids.append(id)
            var c = scores.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                if TopKSelector.before(scores[p], ids[p], scores[c], ids[c]) {
                    scores.swapAt(p, c)
                    ids.swapAt(p, c)
                    c = p
                } else { break }
            }
            return
        }
        guard k > 0, TopKSelector.before(s, id, scores[0], ids[0]) else { return }
        scores[0] = s
        ids[0] = id
        var p = 0
        let n = scores.count
        while true {
            let l = 2 * p + 1, r = l + 1
            var w = p
            if l < n && TopKSelector.before(scores[w], ids[w], scores[l], ids[l]) { w = l }
            if r < n && TopKSelector.before(scores[w], ids[w], scores[r], ids[r]) { w = r }
            if w == p { break }
            scores.swapAt(p, w)
            ids.swapAt(p, w)
            p = w
        }
    }

    /// Like `offer`, but reports what happened: whether (s, id) was kept and which id it
    /// pushed out (for callers that track membership, e.g. to de-duplicate re-scored items).
    @inline(__always)
    public mutating func offerReportingEviction(_ s: Float, _ id: Int32) -> (kept: Bool, evicted: Int32?) {
        if scores.count < k {
            offer(s, id)
            return (true, nil)
        }
        guard k > 0, TopKSelector.before(s, id, scores[0], ids[0]) else { return (false, nil) }
        let out = ids[0]
        offer(s, id)
        return (true, out)
    }

    /// The number of kept items.
    public var count: Int { scores.count }

    /// The kept items, best first.
    public func sorted() -> [ScoredItem] {
        zip(scores, ids).map { ScoredItem(item: $1, score: $0) }
            .sorted { TopKSelector.before($0.score, $0.item, $1.score, $1.item) }
    }

    /// Empties the selector for reuse.
    public mutating func reset() {
        scores.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
    }
}

/// One ranked item of a recommendation list.
public struct ScoredItem: Sendable, Equatable, Codable {
    /// Internal item id.
    public let item: Int32
    public let score: Float

    public init(item: Int32, score: Float) {
        self.item = item
        self.score = score
    }
}
