import CSeqRecKernels
import Foundation
import SeqRecCore
import SeqRecTensor
import Testing

/// SeqRec's AVX-512 sgemm (`seqrec_sgemm`) against a double-precision reference and OpenBLAS, over
/// every transpose pair, edge sizes, leading dimensions, α and β; β = 0 never reads C; and the
/// engine's thread split gives the bits of one whole product. Where the CPU lacks AVX-512 the
/// kernel must decline (and OpenBLAS runs).
@Suite struct SgemmTests {
    /// op(A)·op(B) in Double from row-major storage.
    static func reference(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ lda: Int,
                          _ b: [Float], _ ldb: Int) -> (value: [Double], magnitude: [Double]) {
        var value = [Double](repeating: 0, count: m * n), magnitude = value
        for r in 0..<m {
            for j in 0..<n {
                var s = 0.0, t = 0.0
                for x in 0..<k {
                    let av = Double(tA ? a[x * lda + r] : a[r * lda + x]), bv = Double(tB ? b[j * ldb + x] : b[x * ldb + j])
                    s += av * bv
                    t += abs(av * bv)
                }
                value[r * n + j] = s
                magnitude[r * n + j] = t
            }
        }
        return (value, magnitude)
    }

    @Test func matchesTheReferenceOnEveryShapeAndTranspose() throws {
        guard seqrec_sgemm_available() == 1 else {
            var c: Float = 7
            let one: Float = 1
            #expect(seqrec_sgemm(0, 0, 1, 1, 1, 1, [one], 1, [one], 1, 0, &c, 1) == 0 && c == 7)
            return
        }
        var rng = SplitMix64(seed: 5)
        var checked = 0
        for trial in 0..<160 {
            let tA = trial % 2 == 1, tB = trial / 2 % 2 == 1
            let m = 1 + rng.nextInt(below: trial % 5 == 0 ? 40 : 30), n = 1 + rng.nextInt(below: trial % 7 == 0 ? 600 : 70)
            let k = 1 + rng.nextInt(below: trial % 3 == 0 ? 700 : 90)   // > 256: several k blocks
            let lda = (tA ? m : k) + rng.nextInt(below: 3), ldb = (tB ? k : n) + rng.nextInt(below: 3), ldc = n + rng.nextInt(below: 3)
            let alpha: Float = [1, 0.5, -2][trial % 3], beta: Float = [0, 1, 0.25, -1][trial % 4]
            let a = (0..<(lda * (tA ? k : m))).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }
            let b = (0..<(ldb * (tB ? n : k))).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }
            // Beyond each row's n columns C holds a marker the kernel must leave alone; with β = 0 C holds NaN.
            let before = (0..<(ldc * m)).map { i in i % ldc >= n ? Float(99) : beta == 0 ? Float.nan : Float.random(in: -0.5..<0.5, using: &rng) }
            var c = before, blas = before
            #expect(seqrec_sgemm(tA ? 1 : 0, tB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, &c, ldc) == 1)
            BLAS.openBLASSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, &blas, ldc)
            let (ref, mag) = Self.reference(tA, tB, m, n, k, a, lda, b, ldb)
            for r in 0..<m {
                for j in 0..<ldc {
                    let i = r * ldc + j
                    if j >= n { #expect(c[i] == 99); continue }
                    let old: Double = beta == 0 ? 0 : Double(beta) * Double(before[i])
                    let expected: Double = Double(alpha) * ref[r * n + j] + old
                    // float rounding: ~k steps of 2⁻²⁴ relative to Σ|a·b|, plus α/β's products.
                    let scale: Double = abs(Double(alpha)) * mag[r * n + j] + abs(old) + 1e-30
                    let bound: Double = Double(k + 4) * 0x1p-23 * scale
                    #expect(abs(Double(c[i]) - expected) <= bound, "trial \(trial) (\(tA), \(tB), \(m)×\(n)×\(k)) at \(r),\(j)")
                    #expect(abs(Double(blas[i]) - Double(c[i])) <= 2 * bound)
                    checked += 1
                }
            }
        }
        #expect(checked > 100_000)
    }

    /// The bias epilogue gives exactly the floats of C pre-loaded with the bias rows and β = 1
    /// (several k blocks, ragged column tiles, padded rows left alone), directly and through the
    /// engine's thread split over rows (m ≥ n) and over columns (m < n, the bias offset per block).
    @Test func biasEpilogueEqualsPreloadedBiasRows() throws {
        guard seqrec_sgemm_available() == 1 else { return }
        var rng = SplitMix64(seed: 17)
        for trial in 0..<60 {
            let tA = trial % 2 == 1, tB = trial / 2 % 2 == 1
            let m = 1 + rng.nextInt(below: 40), n = 1 + rng.nextInt(below: trial % 5 == 0 ? 300 : 70)
            let k = 1 + rng.nextInt(below: trial % 3 == 0 ? 600 : 90)
            let lda = (tA ? m : k), ldb = (tB ? k : n), ldc = n + rng.nextInt(below: 3)
            let alpha: Float = [1, 0.5][trial % 2]
            let a = (0..<(lda * (tA ? k : m))).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }
            let b = (0..<(ldb * (tB ? n : k))).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }
            let bias = (0..<n).map { _ in Float.random(in: -1..<1, using: &rng) }
            var preloaded = (0..<(ldc * m)).map { i in i % ldc >= n ? Float(99) : bias[i % ldc] }
            var fused = (0..<(ldc * m)).map { i in i % ldc >= n ? Float(99) : Float.nan }
            #expect(seqrec_sgemm(tA ? 1 : 0, tB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, 1, &preloaded, ldc) == 1)
            #expect(seqrec_sgemm_bias(tA ? 1 : 0, tB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, 0, &fused, ldc, bias) == 1)
            #expect(zip(fused, preloaded).allSatisfy { $0.bitPattern == $1.bitPattern }, "trial \(trial) (\(tA), \(tB), \(m)×\(n)×\(k))")
        }
        // Large enough for the engine to split: rows (m ≥ n) and columns (m < n).
        for (m, n, k) in [(900, 64, 128), (48, 1_000, 200)] {
            let a = (0..<(m * k)).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }
            let b = (0..<(n * k)).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }
            let bias = (0..<n).map { _ in Float.random(in: -1..<1, using: &rng) }
            var preloaded = (0..<(m * n)).map { bias[$0 % n] }, fused = [Float](repeating: .nan, count: m * n)
            #expect(seqrec_sgemm(0, 1, m, n, k, 1, a, k, b, k, 1, &preloaded, n) == 1)
            fused.withUnsafeMutableBufferPointer { c in
                BLAS.sgemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k,
                           c: c.baseAddress!, ldc: n, bias: bias)
            }
            #expect(zip(fused, preloaded).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(m)×\(n)×\(k)")
        }
    }

    @Test func anEmptySumScalesC() throws {
        guard seqrec_sgemm_available() == 1 else { return }
        var c: [Float] = [1, 2, 3, .nan]
        let none: [Float] = [0]
        #expect(seqrec_sgemm(0, 0, 2, 2, 0, 1, none, 1, none, 2, 0.5, &c, 2) == 1)
        #expect(c[0] == 0.5 && c[1] == 1 && c[2] == 1.5 && c[3].isNaN)
        #expect(seqrec_sgemm(0, 0, 2, 2, 0, 1, none, 1, none, 2, 0, &c, 2) == 1)
        #expect(c == [0, 0, 0, 0])
    }

    @Test func theThreadSplitGivesTheBitsOfTheWholeProduct() throws {
        // Large enough for BLAS.sgemm to split it over the threads (and, here, to run SeqRec's kernel).
        var rng = SplitMix64(seed: 9)
        for (tA, tB, m, n, k) in [(false, false, 301, 77, 300), (true, false, 64, 90, 1_000), (false, true, 45, 900, 129), (true, true, 350, 40, 333)] {
            let a = Tensor.randomNormal([m * k], rng: &rng).scalars, b = Tensor.randomNormal([k * n], rng: &rng).scalars
            let lda = tA ? m : k, ldb = tB ? k : n
            func product(threads: Int) -> [Float] {
                let saved = ThreadBudget.threads
                ThreadBudget.set(threads)
                defer { ThreadBudget.set(saved) }
                var c = [Float](repeating: 0, count: m * n)
                BLAS.sgemm(transposeA: tA, transposeB: tB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &c, ldc: n)
                return c
            }
            #expect(product(threads: 1) == product(threads: 3), "\(tA) \(tB) \(m)×\(n)×\(k)")
        }
    }
}
