import SeqRecCore
import SeqRecTensor

/// Default Transformer scoring: the full `[N, d]` item-embedding matrix times φ with BLAS (or a
/// batch of queries with sgemm, `topK(batch:)`), then a top-K pass. Memory-bound (N·d floats per query);
/// used while the matrix fits in memory. Scores differ from PQ sums in the last bits
/// (different summation order), so its reference is exhaustive sorting of its own scores.
public struct DenseScorer: TopKScorer {
    public static let id = "dense"
    public let items: Int
    public let dim: Int
    /// Row-major `[items, dim]`.
    public let embeddings: [Float]

    public init(items: Int, dim: Int, embeddings: [Float]) throws {
        guard embeddings.count == items * dim else {
            throw HyperparameterError(key: "embeddings", value: "\(embeddings.count) floats", allowed: "items × dim = \(items * dim)")
        }
        self.items = items
        self.dim = dim
        self.embeddings = embeddings
    }

    /// The reconstructed embeddings of a PQ catalogue ("Transformer Default" in thesis §7.1.5).
    public init(reconstructing c: PQCatalogue) throws {
        var e = [Float]()
        e.reserveCapacity(c.items * c.dim)
        for i in 0..<c.items { e += c.itemEmbedding(i) }
        try self.init(items: c.items, dim: c.dim, embeddings: e)
    }

    /// All N scores (for the reference and tests).
    public func scores(_ query: [Float]) throws -> [Float] {
        guard query.count == dim, query.allSatisfy(\.isFinite) else {
            throw HyperparameterError(key: "query", value: "\(query.count) values", allowed: "dim = \(dim) finite values")
        }
        var out = [Float](repeating: 0, count: items)
        let rowsPerBlock = 16_384
        let blocks = (items + rowsPerBlock - 1) / rowsPerBlock
        out.withUnsafeMutableBufferPointer { op in
            embeddings.withUnsafeBufferPointer { ep in
                query.withUnsafeBufferPointer { qp in
                    Parallel.for(blocks, grain: 1) { r in
                        for blk in r {
                            let lo = blk * rowsPerBlock, hi = Swift.min(items, lo + rowsPerBlock)
                            BLAS.sgemv(transpose: false, m: hi - lo, n: dim, a: ep.baseAddress! + lo * dim, lda: dim,
                                       x: qp.baseAddress!, y: op.baseAddress! + lo)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Top-K for a batch of queries at once: one sgemm of `[queries, d] × [d, block]` per item
    /// block (memory bounded by queries × 16,384 floats), each row streamed into its selector.
    /// Matches per-query `topK` up to the last-bit rounding of sgemm vs sgemv (tested).
    public func topK(batch queries: [[Float]], k: Int, excluding excluded: [[Int32]]) throws -> [[ScoredItem]] {
        try ScorerSupport.validate(k: k, items: items)
        guard excluded.count == queries.count else {
            throw HyperparameterError(key: "excluding", value: "\(excluded.count) lists", allowed: "one per query (\(queries.count))")
        }
        let rows = queries.count
        var flat = [Float]()
        flat.reserveCapacity(rows * dim)
        for q in queries {
            guard q.count == dim, q.allSatisfy(\.isFinite) else {
                throw HyperparameterError(key: "query", value: "\(q.count) values", allowed: "dim = \(dim) finite values")
            }
            flat += q
        }
        let block = 16_384
        var selectors = excluded.map { TopKSelector(k: Swift.min(k + $0.count, items)) }
        var scores = [Float](repeating: 0, count: rows * block)
        var lo = 0
        while lo < items {
            let width = Swift.min(block, items - lo)
            scores.withUnsafeMutableBufferPointer { sp in
                embeddings.withUnsafeBufferPointer { ep in
                    flat.withUnsafeBufferPointer { qp in
                        BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: width, k: dim, a: qp.baseAddress!, lda: dim,
                                   b: ep.baseAddress! + lo * dim, ldb: dim, c: sp.baseAddress!, ldc: width)
                    }
                }
            }
            for r in 0..<rows {
                var threshold = selectors[r].threshold
                for j in 0..<width where scores[r * width + j] >= threshold {
                    selectors[r].offer(scores[r * width + j], Int32(lo + j))
                    threshold = selectors[r].threshold
                }
            }
            lo += width
        }
        return zip(selectors, excluded).map { ScorerSupport.finish($0, k: k, excluded: Set($1)) }
    }

    public func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem] {
        try ScorerSupport.validate(k: k, items: items)
        let s = try scores(query)
        let keep = Swift.min(k + excluded.count, items)
        var sel = TopKSelector(k: keep)
        var threshold = sel.threshold
        for i in 0..<items where s[i] >= threshold {
            sel.offer(s[i], Int32(i))
            threshold = sel.threshold
        }
        return ScorerSupport.finish(sel, k: k, excluded: Set(excluded))
    }
}
