import SeqRecCore

/// PQTopK (thesis Algorithm 2; Petrov & Macdonald, "Efficient inference of sub-item id-based
/// sequential recommendation models with millions of items", RecSys 2024): per query compute
/// the m × b table S, then score(i) = Σₖ S[k, G[i, k]] for every item in one pass over the
/// item-major codes, fused with a bounded top-K per thread — no N-sized score array, so
/// catalogues of a billion items fit. Both cores take half of the catalogue each.
public struct PQTopKScorer: TopKScorer {
    public static let id = "pq-topk"
    public let catalogue: PQCatalogue

    public init(catalogue: PQCatalogue) { self.catalogue = catalogue }

    public func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem] {
        try ScorerSupport.validate(k: k, items: catalogue.items)
        let table = try catalogue.subIDScores(query)
        let keep = Swift.min(k + excluded.count, catalogue.items)
        let n = catalogue.items, m = catalogue.splits, b = catalogue.subIDs
        let chunks = Parallel.chunkCount(n, grain: 65_536)
        var parts = [TopKSelector](repeating: TopKSelector(k: keep), count: chunks)
        catalogue.codes.withUnsafeBufferPointer { cb in
            table.withUnsafeBufferPointer { tb in
                parts.withUnsafeMutableBufferPointer { pp in
                    Parallel.forChunks(n, grain: 65_536) { c, range in
                        var sel = TopKSelector(k: keep)
                        if m == 8 && b == 256 {
                            PQTopKScorer.scan8(cb.baseAddress!, tb.baseAddress!, range, &sel)
                        } else {
                            PQTopKScorer.scan(cb.baseAddress!, tb.baseAddress!, m, b, range, &sel)
                        }
                        pp[c] = sel
                    }
                }
            }
        }
        return ScorerSupport.finish(ScorerSupport.merge(parts, k: keep), k: k, excluded: Set(excluded))
    }

    /// General m: accumulate in split order.
    static func scan(_ codes: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>, _ m: Int, _ b: Int,
                     _ range: Range<Int>, _ sel: inout TopKSelector) {
        var threshold = sel.threshold
        for i in range {
            let c = codes + i * m
            var acc: Float = 0
            for k in 0..<m { acc += s[k * b + Int(c[k])] }
            if acc >= threshold {
                sel.offer(acc, Int32(i))
                threshold = sel.threshold
            }
        }
    }

    /// m = 8, b = 256 (the thesis's setting): byte loads feed the table lookups directly (no
    /// shift/mask ALU work), two items per iteration for more independent add chains in flight (four measured no better).
    /// Summation order is the same as the general loop (split 0 first), so scores are identical.
    @inline(__always)
    static func scan8(_ codes: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>, _ range: Range<Int>,
                      _ sel: inout TopKSelector) {
        var threshold = sel.threshold
        @inline(__always) func score(_ c: UnsafePointer<UInt8>) -> Float { pqScore8(c, s) }
        var i = range.lowerBound
        while i + 2 <= range.upperBound {
            let a = score(codes + i * 8), b = score(codes + i * 8 + 8)
            if a >= threshold || b >= threshold {
                if a >= threshold { sel.offer(a, Int32(truncatingIfNeeded: i)); threshold = sel.threshold }
                if b >= threshold { sel.offer(b, Int32(truncatingIfNeeded: i + 1)); threshold = sel.threshold }
            }
            i += 2
        }
        while i < range.upperBound {
            let a = score(codes + i * 8)
            if a >= threshold {
                sel.offer(a, Int32(truncatingIfNeeded: i))
                threshold = sel.threshold
            }
            i += 1
        }
    }
}
