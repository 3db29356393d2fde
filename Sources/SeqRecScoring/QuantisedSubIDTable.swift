import CSeqRecKernels

/// The per-query table S (m × 256) quantised to bytes for PQTopK's shuffle scan:
/// q[k, c] = ⌊(S[k, c] − minₖ) / Δ⌋ with one step Δ for all splits, so an item's quantised sum Q
/// bounds its exact score from above: score ≤ Σ minₖ + (Q + m)·Δ (+ the float rounding of the
/// exact sum). `threshold(for:)` turns the exact top-K's worst kept score into the smallest Q an
/// item needs to possibly enter it; items below are skipped without being scored exactly, so
/// the top-K is unchanged (ties included: a skipped item's score is strictly below the threshold).
struct QuantisedSubIDTable {
    let bytes: [UInt8]
    let splits: Int
    private let step: Double
    private let minimumSum: Double
    private let roundingBound: Double

    /// Nil when quantising cannot bound the scores (a non-finite entry, or all splits constant).
    init?(_ table: [Float], splits m: Int) {
        precondition(table.count == m * 256)
        var mins = [Double](repeating: 0, count: m), widest = 0.0, magnitudes = 0.0
        for k in 0..<m {
            var lo = Double.infinity, hi = -Double.infinity, largest = 0.0
            for c in 0..<256 {
                let v = Double(table[k * 256 + c])
                guard v.isFinite else { return nil }
                lo = Swift.min(lo, v); hi = Swift.max(hi, v); largest = Swift.max(largest, abs(v))
            }
            mins[k] = lo
            widest = Swift.max(widest, hi - lo)
            magnitudes += largest
        }
        guard widest > 0 else { return nil }
        step = widest / 255
        var q = [UInt8](repeating: 0, count: m * 256)
        for k in 0..<m {
            for c in 0..<256 {
                let level = ((Double(table[k * 256 + c]) - mins[k]) / step).rounded(.down)
                q[k * 256 + c] = UInt8(Swift.min(255, Swift.max(0, level)))
            }
        }
        bytes = q
        splits = m
        minimumSum = mins.reduce(0, +)
        // A float sum of m terms is within (m − 1)·2⁻²⁴·Σ|terms| of the real sum; twice that, generously.
        roundingBound = Double(m) * 0x1p-23 * magnitudes
    }

    /// The smallest quantised sum an item needs to possibly score ≥ `exact` (0 for −∞).
    func threshold(for exact: Float) -> UInt16 {
        guard exact.isFinite else { return exact > 0 ? UInt16.max : 0 }
        let levels = ((Double(exact) - roundingBound - minimumSum) / step).rounded(.down) - Double(splits) - 1
        return UInt16(Swift.min(Double(UInt16.max), Swift.max(0, levels)))
    }

    /// Whether this CPU runs the shuffle scan (x86-64 with AVX-512 VBMI).
    static let kernelAvailable = seqrec_pq_shuffle_scan_available() != 0
}
