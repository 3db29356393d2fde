import CSeqRecKernels
import SeqRecCore

/// RecJPQPrune (thesis Algorithm 4): dynamic pruning over per-split inverted indexes.
///
/// Sub-ids of every split are visited in descending S order. σ — the sum over splits of the
/// best not-yet-visited sub-id score — bounds the score of every item not yet scored (such an
/// item has an unvisited sub-id in every split). Each step takes the next `batchSize` sub-ids of
/// the split whose next sub-id scores highest and scores the items in their posting lists (PQ
/// sums in split order, identical to PQTopK's) into a de-duplicated top-K; it stops once σ < θ
/// (the K-th best score). Exact: safe up to rank K (σ = θ continues, so ties are resolved as in
/// exhaustive scoring). Items may be scored more than once, so `itemsScored` can exceed the
/// catalogue size.
///
/// On a CPU with AVX-512 VBMI (b = 256) posting lists go through a shuffle kernel over their
/// split-major blocks (the quantised lookups of PQTopK's scan, without its transpose), which skips
/// the postings whose quantised bound is below θ; on large catalogues the threads of the budget
/// claim the steps in order and share θ.
public struct RecJPQPruneScorer: TopKScorer {
    public static let id = "recjpq-prune"
    public let catalogue: PQCatalogue
    /// Sub-ids per step (BS; the thesis's default 8).
    public private(set) var batchSize: Int
    /// Posting lists: for split k and sub-id j, items `postings[start[k·b + j] ..< start[k·b + j + 1]]`.
    let start: [Int]
    let postings: [Int32]
    /// The postings' codes beside them, so scoring a list reads memory sequentially instead of
    /// jumping through the catalogue's codes (a cache miss per item: ~25 ns, which made pruning
    /// slower than a full PQTopK scan): per list, blocks of 64 postings, split-major — row r holds
    /// the 64 postings' codes of one split — without the list's own split (its code is the list's
    /// sub-id). m − 1 bytes per posting, and the shuffle kernel looks rows up as they lie.
    /// List `key`'s blocks start at block `blockStart[key]`; its last block is padded.
    let blocks: [UInt8]
    let blockStart: [Int]
    /// For own split k, `rowSplits[k·(m − 1) + r]` is the split in row r of k's blocks.
    let rowSplits: [Int32]

    /// Builds the inverted indexes (once, offline).
    public init(catalogue: PQCatalogue, batchSize: Int = 8) throws {
        try HyperparameterError.checkAtLeast("batchSize", batchSize, 1)
        self.catalogue = catalogue
        self.batchSize = batchSize
        let m = catalogue.splits, b = catalogue.subIDs, n = catalogue.items, rows = m - 1
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
        var blockStart = [Int](repeating: 0, count: m * b + 1)
        for key in 0..<(m * b) { blockStart[key + 1] = blockStart[key] + (start[key + 1] - start[key] + 63) / 64 }
        var blocks = [UInt8](repeating: 0, count: Swift.max(1, blockStart[m * b] * rows * 64))
        for key in 0..<(m * b) {
            let own = key / b
            for p in 0..<(start[key + 1] - start[key]) {
                let item = Int(postings[start[key] + p])
                let base = (blockStart[key] + p / 64) * rows * 64 + p % 64
                for t in 0..<m where t != own {
                    blocks[base + (t < own ? t : t - 1) * 64] = catalogue.codes[item * m + t]
                }
            }
        }
        var rowSplits = [Int32](repeating: 0, count: m * rows)
        for own in 0..<m { for r in 0..<rows { rowSplits[own * rows + r] = Int32(r < own ? r : r + 1) } }
        self.start = start
        self.postings = postings
        self.blocks = blocks
        self.blockStart = blockStart
        self.rowSplits = rowSplits
    }

    /// The same inverted indexes with another batch size (no rebuild: the arrays are shared).
    public func withBatchSize(_ batchSize: Int) throws -> RecJPQPruneScorer {
        try HyperparameterError.checkAtLeast("batchSize", batchSize, 1)
        var copy = self
        copy.batchSize = batchSize
        return copy
    }

    public func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem] {
        try topKCountingScored(query, k: k, excluding: excluded).items
    }

    /// Whether posting lists are scored with the blocked shuffle kernel (b = 256, m a multiple of 8,
    /// AVX-512 VBMI): the quantised bound skips postings that cannot enter the top-K, the rest are
    /// scored exactly, so the result is the same as with float lookups only.
    public var usesShuffleKernel: Bool {
        QuantisedSubIDTable.kernelAvailable && catalogue.subIDs == 256 && catalogue.splits % 8 == 0 && catalogue.splits <= 256
    }

    /// Catalogue size from which the steps are shared by the threads of the budget.
    static let parallelItems = 131_072

    /// The top-K and the number of item scorings performed (re-scorings included).
    ///
    /// With more than one thread the steps are claimed in order by the threads, each scoring into
    /// its own top-K and raising a shared θ; a thread stops at the first step it claims whose σ
    /// lies below that θ. The top-K is the same as on one thread; `itemsScored` can exceed the
    /// one-thread count by the steps claimed before θ caught up.
    public func topKCountingScored(_ query: [Float], k: Int, excluding excluded: [Int32]) throws
        -> (items: [ScoredItem], itemsScored: Int)
    {
        try ScorerSupport.validate(k: k, items: catalogue.items)
        let s = try catalogue.subIDScores(query)
        let m = catalogue.splits, b = catalogue.subIDs
        let keep = Swift.min(k + excluded.count, catalogue.items)
        let quantised = usesShuffleKernel ? QuantisedSubIDTable(s, splits: m) : nil
        let workers = Parallel.chunkCount(catalogue.items, grain: Self.parallelItems / 2)
        var parts = [TopKSelector](repeating: TopKSelector(k: keep), count: workers)
        var scoredBy = [Int](repeating: 0, count: workers)
        blocks.withUnsafeBufferPointer { cb in
            s.withUnsafeBufferPointer { sb in
                let run = PruneRun(sb.baseAddress!, m: m, b: b, batchSize: batchSize)
                parts.withUnsafeMutableBufferPointer { pp in
                    scoredBy.withUnsafeMutableBufferPointer { spBuffer in
                        let pp = pp.baseAddress!, sp = spBuffer.baseAddress!
                        let body = { (w: Int) in
                            var local = HeldTopK(keep: keep)
                            sp[w] = self.work(run, cb.baseAddress!, sb.baseAddress!, quantised, &local)
                            pp[w] = local.selector
                        }
                        if workers == 1 { body(0) } else {
                            Parallel.forChunks(workers, grain: 1) { w, _ in body(w) }
                        }
                    }
                }
            }
        }
        // Threads may hold the same item (each de-duplicates only its own top-K).
        var selector = TopKSelector(k: keep)
        var seen = Set<Int32>()
        for item in parts.flatMap({ $0.sorted() }).sorted(by: { TopKSelector.before($0.score, $0.item, $1.score, $1.item) })
        where seen.insert(item.item).inserted {
            selector.offer(item.score, item.item)
        }
        return (ScorerSupport.finish(selector, k: k, excluded: Set(excluded)), scoredBy.reduce(0, +))
    }

    /// One thread's loop: claim the next step, stop once its σ is below the shared θ, score its
    /// posting lists into `local`. Returns the postings scored.
    private func work(_ run: PruneRun, _ blocks: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>,
                      _ quantised: QuantisedSubIDTable?, _ local: inout HeldTopK) -> Int {
        let b = catalogue.subIDs
        var scored = 0
        while let step = run.claim() {
            let theta = run.theta
            if step.sigma < theta { break }
            var threshold = Swift.max(theta, local.selector.threshold)
            for p in step.from..<step.to {
                let key = step.split * b + run.subID(step.split, p)
                scored += start[key + 1] - start[key]
                scoreList(key, blocks, s, quantised, theta, &threshold, &local)
            }
            if local.selector.count == local.selector.k { run.raise(local.selector.threshold) }
        }
        return scored
    }

    /// Blocks per call of the blocked shuffle kernel (the quantised threshold follows θ between calls).
    static let kernelBlocks = 16

    /// Offers every posting of list `key` whose exact score reaches `threshold` to `local`
    /// (`threshold` follows `local`'s K-th best, never below θ). With the shuffle kernel only the
    /// postings whose quantised upper bound reaches it are scored exactly.
    @inline(__always)
    private func scoreList(_ key: Int, _ blocks: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>,
                           _ quantised: QuantisedSubIDTable?, _ theta: Float,
                           _ threshold: inout Float, _ local: inout HeldTopK) {
        let m = catalogue.splits, b = catalogue.subIDs, rows = m - 1
        let own = key / b, j = key % b, count = start[key + 1] - start[key], first = start[key]
        let list = blocks + blockStart[key] * rows * 64
        // The exact score of the list's p-th posting (its own split's code is the list's sub-id j).
        @inline(__always) func exact(_ p: Int) {
            let base = list + (p >> 6) * rows * 64 + (p & 63)
            let v = pqScore(s, m, b) { t in t == own ? j : Int(base[(t < own ? t : t - 1) * 64]) }
            if v >= threshold {
                local.offer(v, postings[first + p])
                threshold = Swift.max(theta, local.selector.threshold)
            }
        }
        guard let q = quantised, count >= 64 else {
            for p in 0..<count { exact(p) }
            return
        }
        // Until this thread's top-K is full (θ still −∞) every posting would pass the quantised
        // bound: score the first ones exactly, then let the kernel filter against a real threshold.
        var p = 0
        while threshold == -Float.infinity && p < count {
            exact(p)
            p += 1
        }
        while p < count && p & 63 != 0 {
            exact(p)
            p += 1
        }
        let ownLevel = Int(q.bytes[own * 256 + j])
        let totalBlocks = (count + 63) / 64
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: Self.kernelBlocks * 64) { out in
            q.bytes.withUnsafeBufferPointer { qb in
                rowSplits.withUnsafeBufferPointer { rs in
                    var block = p / 64
                    while block < totalBlocks {
                        let upto = Swift.min(block + Self.kernelBlocks, totalBlocks)
                        let last = upto == totalBlocks ? count - (totalBlocks - 1) * 64 : 64
                        let level = Swift.max(0, Int(q.threshold(for: threshold)) - ownLevel)
                        let found = seqrec_pq_blocked_scan(list + block * rows * 64, rows, upto - block, totalBlocks - block, last,
                                                           rs.baseAddress! + own * rows, qb.baseAddress!, UInt16(level),
                                                           out.baseAddress!)
                        for h in 0..<found { exact(block * 64 + Int(out[h])) }
                        block = upto
                    }
                }
            }
        }
    }
}
