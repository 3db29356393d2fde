import SeqRecCore

/// The original RecJPQ scoring (thesis Algorithm 3): the outer loop runs over splits and each
/// split adds S[k, G[i, k]] into an N-sized score array, then a top-K pass selects. Same scores
/// as PQTopK (same summation order), but it writes and re-reads the whole array m times — the
/// cost PQTopK removes (the thesis measured 1.5–2× slower).
public struct RecJPQScorer: TopKScorer {
    public static let id = "recjpq"
    public let catalogue: PQCatalogue

    public init(catalogue: PQCatalogue) { self.catalogue = catalogue }

    public func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem] {
        try ScorerSupport.validate(k: k, items: catalogue.items)
        let table = try catalogue.subIDScores(query)
        let n = catalogue.items, m = catalogue.splits, b = catalogue.subIDs
        let keep = Swift.min(k + excluded.count, n)
        var scores = [Float](repeating: 0, count: n)
        scores.withUnsafeMutableBufferPointer { sp in
            catalogue.codes.withUnsafeBufferPointer { cb in
                table.withUnsafeBufferPointer { tb in
                    let out = sp.baseAddress!, codes = cb.baseAddress!, s = tb.baseAddress!
                    for split in 0..<m {
                        let row = s + split * b
                        Parallel.for(n, grain: 65_536) { r in
                            for i in r { out[i] += row[Int(codes[i * m + split])] }
                        }
                    }
                }
            }
        }
        let chunks = Parallel.chunkCount(n, grain: 65_536)
        var parts = [TopKSelector](repeating: TopKSelector(k: keep), count: chunks)
        scores.withUnsafeBufferPointer { sp in
            parts.withUnsafeMutableBufferPointer { pp in
                Parallel.forChunks(n, grain: 65_536) { c, range in
                    var sel = TopKSelector(k: keep)
                    var threshold = sel.threshold
                    for i in range where sp[i] >= threshold {
                        sel.offer(sp[i], Int32(truncatingIfNeeded: i))
                        threshold = sel.threshold
                    }
                    pp[c] = sel
                }
            }
        }
        return ScorerSupport.finish(ScorerSupport.merge(parts, k: keep), k: k, excluded: Set(excluded))
    }
}
