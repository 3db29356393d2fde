import CSeqRecKernels
import SeqRecCore

/// PQTopK (thesis Algorithm 2; Petrov & Macdonald, "Efficient inference of sub-item id-based
/// sequential recommendation models with millions of items", RecSys 2024): per query compute
/// the m × b table S, then score(i) = Σₖ S[k, G[i, k]] for every item in one pass over the
/// item-major codes, fused with a bounded top-K per thread — no N-sized score array, so
/// catalogues of a billion items fit. Both cores take half of the catalogue each.
///
/// With b = 256 and m a multiple of 8 on a CPU with AVX-512 VBMI, the scan looks the table up
/// with byte shuffles on a quantised copy of S (`QuantisedSubIDTable`), 64 items per step, and
/// scores exactly only the items whose quantised upper bound reaches the running top-K
/// threshold: the same top-K, with most items never touched by a float lookup.
public struct PQTopKScorer: TopKScorer {
    public static let id = "pq-topk"
    public let catalogue: PQCatalogue

    /// How the catalogue is scanned: `.automatic` uses the shuffle kernel where it applies,
    /// `.scalar` always the float lookups (for comparison and tests).
    public enum Scan: Sendable { case automatic, scalar }
    public let scan: Scan

    public init(catalogue: PQCatalogue, scan: Scan = .automatic) {
        self.catalogue = catalogue
        self.scan = scan
    }

    /// Whether `topK` uses the shuffle kernel for this catalogue on this CPU.
    public var usesShuffleKernel: Bool {
        scan == .automatic && QuantisedSubIDTable.kernelAvailable && catalogue.subIDs == 256
            && catalogue.splits % 8 == 0 && catalogue.splits <= 256
    }

    public func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem] {
        try ScorerSupport.validate(k: k, items: catalogue.items)
        let table = try catalogue.subIDScores(query)
        let keep = Swift.min(k + excluded.count, catalogue.items)
        let n = catalogue.items, m = catalogue.splits, b = catalogue.subIDs
        let chunks = Parallel.chunkCount(n, grain: 65_536)
        var parts = [TopKSelector](repeating: TopKSelector(k: keep), count: chunks)
        let quantised = usesShuffleKernel ? QuantisedSubIDTable(table, splits: m) : nil
        catalogue.codes.withUnsafeBufferPointer { cb in
            table.withUnsafeBufferPointer { tb in
                parts.withUnsafeMutableBufferPointer { pp in
                    Parallel.forChunks(n, grain: 65_536) { c, range in
                        var sel = TopKSelector(k: keep)
                        if let quantised {
                            PQTopKScorer.shuffleScan(cb.baseAddress!, tb.baseAddress!, quantised, range, &sel)
                        } else if m == 8 && b == 256 {
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
            let acc = pqScore(codes + i * m, s, m, b)
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

    /// The shuffle kernel over the whole 64-item groups of `range`, in blocks of 4,096 items so the
    /// quantised threshold follows the running top-K; the ends of the range and every candidate
    /// are scored exactly with the float table.
    static func shuffleScan(_ codes: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>, _ q: QuantisedSubIDTable,
                            _ range: Range<Int>, _ sel: inout TopKSelector) {
        let m = q.splits
        @inline(__always) func exact(_ i: Int) {
            let c = codes + i * m
            let acc = m == 8 ? pqScore8(c, s) : pqScore(c, s, m, 256)
            if acc >= sel.threshold { sel.offer(acc, Int32(truncatingIfNeeded: i)) }
        }
        let first = Swift.min(range.upperBound, (range.lowerBound + 63) / 64 * 64)
        let last = first + (range.upperBound - first) / 64 * 64
        for i in range.lowerBound..<first { exact(i) }
        let block = 4_096
        var candidates = [Int64](repeating: 0, count: block)
        q.bytes.withUnsafeBufferPointer { qb in
            candidates.withUnsafeMutableBufferPointer { out in
                var start = first
                while start < last {
                    let end = Swift.min(start + block, last)
                    let found = seqrec_pq_shuffle_scan(codes, m, start, end, last, qb.baseAddress!, q.threshold(for: sel.threshold),
                                                       out.baseAddress!)
                    for j in 0..<found { exact(Int(out[j])) }
                    start = end
                }
            }
        }
        for i in last..<range.upperBound { exact(i) }
    }
}
