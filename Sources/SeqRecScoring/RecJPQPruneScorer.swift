import SeqRecCore

/// RecJPQPrune (thesis Algorithm 4): dynamic pruning over per-split inverted indexes.
///
/// Sub-ids of every split are visited in descending S order. σ — the sum over splits of the
/// best not-yet-visited sub-id score — bounds the score of every item not yet scored (such an
/// item has an unvisited sub-id in every split). Each step takes the next `batchSize` sub-ids of
/// the split whose next sub-id scores highest, scores the items in their posting lists (PQ sums
/// in split order, identical to PQTopK's), and merges them into the running top-K with
/// de-duplication; it stops once σ < θ (the K-th best score). Exact: safe up to rank K
/// (σ = θ continues, so ties are resolved as in exhaustive scoring). Items may be scored more
/// than once, so `itemsScored` can exceed the catalogue size.
public struct RecJPQPruneScorer: TopKScorer {
    public static let id = "recjpq-prune"
    public let catalogue: PQCatalogue
    /// Sub-ids per step (BS; the thesis's default 8).
    public let batchSize: Int
    /// Postings per thread below which a step stays on one thread. A step of BS = 8 sub-ids
    /// holds 8·N/256 postings (31k at 10⁶ items): with 16,384 it ran on one thread at 10⁶ items
    /// while PQTopK used both; the spinning worker pool makes 4,096-posting chunks pay.
    static let grain = 4_096
    /// Posting lists: for split k and sub-id j, items `postings[start[k·b + j] ..< start[k·b + j + 1]]`.
    let start: [Int]
    let postings: [Int32]
    /// Each posting's full code (m bytes), stored beside it so scoring a posting list reads
    /// memory sequentially instead of jumping through the catalogue's codes (a cache miss per
    /// item: ~25 ns, which made pruning slower than a full PQTopK scan). Costs m·m bytes per item.
    let postingCodes: [UInt8]

    /// Builds the inverted indexes (once, offline).
    public init(catalogue: PQCatalogue, batchSize: Int = 8) throws {
        try HyperparameterError.checkAtLeast("batchSize", batchSize, 1)
        self.catalogue = catalogue
        self.batchSize = batchSize
        let m = catalogue.splits, b = catalogue.subIDs, n = catalogue.items
        var start = [Int](repeating: 0, count: m * b + 1)
        for i in 0..<n { for k in 0..<m { start[k * b + Int(catalogue.codes[i * m + k]) + 1] += 1 } }
        for x in 0..<(m * b) { start[x + 1] += start[x] }
        var next = start
        var postings = [Int32](repeating: 0, count: n * m)
        for i in 0..<n {
            for k in 0..<m {
                let key = k * b + Int(catalogue.codes[i * m + k])
                postings[next[key]] = Int32(i)
                next[key] += 1
            }
        }
        var postingCodes = [UInt8](repeating: 0, count: n * m * m)
        for (e, item) in postings.enumerated() {
            for k in 0..<m { postingCodes[e * m + k] = catalogue.codes[Int(item) * m + k] }
        }
        self.start = start
        self.postings = postings
        self.postingCodes = postingCodes
    }

    /// The same inverted indexes with another batch size (no rebuild: the arrays are shared).
    public func withBatchSize(_ batchSize: Int) throws -> RecJPQPruneScorer {
        try HyperparameterError.checkAtLeast("batchSize", batchSize, 1)
        return RecJPQPruneScorer(catalogue: catalogue, batchSize: batchSize, start: start, postings: postings, postingCodes: postingCodes)
    }

    private init(catalogue: PQCatalogue, batchSize: Int, start: [Int], postings: [Int32], postingCodes: [UInt8]) {
        self.catalogue = catalogue
        self.batchSize = batchSize
        self.start = start
        self.postings = postings
        self.postingCodes = postingCodes
    }

    public func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem] {
        try topKCountingScored(query, k: k, excluding: excluded).items
    }

    /// The top-K and the number of item scorings performed (re-scorings included).
    public func topKCountingScored(_ query: [Float], k: Int, excluding excluded: [Int32]) throws
        -> (items: [ScoredItem], itemsScored: Int)
    {
        try ScorerSupport.validate(k: k, items: catalogue.items)
        let s = try catalogue.subIDScores(query)
        let m = catalogue.splits, b = catalogue.subIDs
        let keep = Swift.min(k + excluded.count, catalogue.items)
        // Sub-ids of each split by descending score (ties by lower sub-id, for determinism).
        // One UInt64 key per sub-id: order-preserving float bits (descending) then the sub-id
        // (ascending), so a plain integer sort replaces a closure sort (8 × 256 closure
        // comparisons dominated small catalogues).
        let order: [[Int]] = (0..<m).map { split in
            var keys = (0..<b).map { j -> UInt64 in
                let bits = s[split * b + j].bitPattern
                let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000   // total order of floats
                return UInt64(~ascending) << 32 | UInt64(j)
            }
            keys.sort()
            return keys.map { Int($0 & 0xFFFF_FFFF) }
        }
        return postingCodes.withUnsafeBufferPointer { cb in
            s.withUnsafeBufferPointer { sb in
                run(cb.baseAddress!, sb.baseAddress!, m, b, order, keep, k, Set(excluded))
            }
        }
    }

    private func run(_ codes: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>, _ m: Int, _ b: Int, _ order: [[Int]],
                     _ keep: Int, _ k: Int, _ excluded: Set<Int32>) -> (items: [ScoredItem], itemsScored: Int) {
        /// Score of posting entry `e` (its code is stored with it).
        let eight = m == 8 && b == 256
        @inline(__always) func score(_ e: Int) -> Float {
            let c = codes + e * m
            return eight ? pqScore8(c, s) : pqScore(c, s, m, b)
        }
        var pointer = [Int](repeating: 0, count: m)
        var selector = TopKSelector(k: keep)
        // Membership of the running top-K as a bitmap (a hash set cost more than the scoring).
        var held = [UInt64](repeating: 0, count: (catalogue.items + 63) / 64)
        var scored = 0
        while true {
            // A split with every sub-id visited means every item has been scored: done.
            if pointer.contains(where: { $0 >= b }) { break }
            var sigma: Float = 0
            var best = 0
            for split in 0..<m {
                let v = s[split * b + order[split][pointer[split]]]
                sigma += v
                if v > s[best * b + order[best][pointer[best]]] { best = split }
            }
            if selector.count == keep && sigma < selector.threshold { break }
            let upto = Swift.min(b, pointer[best] + batchSize)
            // The batch's posting lists (all from split `best`, so no item repeats within a step).
            var ranges: [Range<Int>] = []
            var total = 0
            for p in pointer[best]..<upto {
                let key = best * b + order[best][p]
                ranges.append(start[key]..<start[key + 1])
                total += start[key + 1] - start[key]
            }
            scored += total
            // Score the postings (sequential memory: codes are stored beside them) on every
            // thread against the current θ, then merge the few survivors, de-duplicating
            // against the running top-K.
            let theta = selector.count == keep ? selector.threshold : -Float.infinity
            let chunks = Parallel.chunkCount(total, grain: Self.grain)
            var locals = [TopKSelector](repeating: TopKSelector(k: keep), count: chunks)
            locals.withUnsafeMutableBufferPointer { lp in
                Parallel.forChunks(total, grain: Self.grain) { c, flat in
                    var local = TopKSelector(k: keep)
                    var threshold = theta
                    var offset = 0
                    for r in ranges {
                        let lo = Swift.max(flat.lowerBound - offset, 0), hi = Swift.min(flat.upperBound - offset, r.count)
                        if lo < hi {
                            for e in (r.lowerBound + lo)..<(r.lowerBound + hi) {
                                let v = score(e)
                                if v >= threshold {
                                    local.offer(v, postings[e])
                                    threshold = Swift.max(theta, local.threshold)
                                }
                            }
                        }
                        offset += r.count
                    }
                    lp[c] = local
                }
            }
            for local in locals {
                for cand in local.sorted() {
                    let item = cand.item
                    let word = Int(item) >> 6, bit = UInt64(1) << UInt64(item & 63)
                    if held[word] & bit != 0 { continue }
                    let (kept, evicted) = selector.offerReportingEviction(cand.score, item)
                    if kept { held[word] |= bit }
                    if let evicted { held[Int(evicted) >> 6] &= ~(UInt64(1) << UInt64(evicted & 63)) }
                }
            }
            pointer[best] = upto
        }
        return (ScorerSupport.finish(selector, k: k, excluded: excluded), scored)
    }
}
