import Foundation
import SeqRecCore
import SeqRecTensor
import Testing

/// The C kernels behind dropout and LayerNorm against plain Swift references written from
/// their definitions, across lengths that exercise the vector body, the tail and chunking.
@Suite struct KernelTests {
    /// The dropout hash as documented on `Tensor.dropout`, in Swift.
    static func referenceKeeps(_ i: Int, rate: Float, seed: UInt64) -> Bool {
        let keys = SplitMix64.mix(seed)
        let k1 = UInt32(truncatingIfNeeded: keys), k2 = UInt32(truncatingIfNeeded: keys >> 32)
        var h = (UInt32(truncatingIfNeeded: i) &* 0x9E37_79B1) ^ k1
        h ^= h >> 16; h &*= 0x85EB_CA6B; h ^= h >> 13; h &*= 0xC2B2_AE35; h ^= h >> 16
        h ^= k2; h &*= 0x27D4_EB2F; h ^= h >> 15
        return h >= UInt32(Double(rate) * 0x1p32)
    }

    @Test(arguments: [1, 7, 8, 9, 63, 1000, 70_001])
    func dropoutMaskMatchesTheDocumentedHash(n: Int) {
        var rng = SplitMix64(seed: UInt64(n))
        let x = Tensor.randomUniform([n], low: 0.5, high: 1.5, rng: &rng)
        let rate: Float = 0.3, seed: UInt64 = 1234
        let y = x.dropout(rate: rate, seed: seed)
        let xs = x.scalars, ys = y.scalars
        var kept = 0
        for i in 0..<n {
            let keep = Self.referenceKeeps(i, rate: rate, seed: seed)
            #expect(Tensor.dropoutKeeps(index: i, rate: rate, seed: seed) == keep)
            #expect(ys[i] == (keep ? xs[i] * (1 / (1 - rate)) : 0), "element \(i) of \(n)")
            if keep { kept += 1 }
        }
        if n >= 1000 { #expect(abs(Double(kept) / Double(n) - 0.7) < 0.03) }
    }

    @Test(arguments: [1, 5, 8, 19, 64, 130])
    func layerNormForwardMatchesADoublePrecisionReference(d: Int) {
        var rng = SplitMix64(seed: UInt64(d))
        let rows = 37
        let x = Tensor.randomUniform([rows, d], low: -3, high: 5, rng: &rng)
        let gamma = Tensor.randomUniform([d], low: 0.5, high: 1.5, rng: &rng)
        let beta = Tensor.randomUniform([d], low: -1, high: 1, rng: &rng)
        let y = x.layerNorm(gamma: gamma, beta: beta, epsilon: 1e-5).scalars
        let xs = x.scalars, g = gamma.scalars, b = beta.scalars
        for r in 0..<rows {
            let row = (0..<d).map { Double(xs[r * d + $0]) }
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
            for j in 0..<d {
                let expected = (row[j] - mean) / (variance + 1e-5).squareRoot() * Double(g[j]) + Double(b[j])
                #expect(abs(Double(y[r * d + j]) - expected) < 1e-4, "row \(r) column \(j) of d = \(d)")
            }
        }
    }

    @Test(arguments: [(3, 5, 4), (1_000, 64, 64), (6_400, 64, 128)])
    func fusedLinearEqualsMatmulPlusBias(rows: Int, inF: Int, outF: Int) {
        var rng = SplitMix64(seed: UInt64(rows))
        let x = Tensor.randomUniform([rows, inF], low: -1, high: 1, rng: &rng)
        let w = Tensor.randomUniform([outF, inF], low: -1, high: 1, rng: &rng)
        let b = Tensor.randomUniform([outF], low: -1, high: 1, rng: &rng)
        let fused = Tensor.linear(x, weight: w, bias: b).scalars
        let plain = (Tensor.matmul(x, w, transposeB: true) + b).scalars
        #expect(fused.count == rows * outF)
        let worst = zip(fused, plain).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5)
    }

    /// Summing many rows down to one (bias gradients) goes through per-thread partial sums.
    @Test(arguments: [(5_000, 7), (6_400, 64), (100, 3)])
    func longColumnSumsMatchADoublePrecisionReference(rows: Int, cols: Int) {
        var rng = SplitMix64(seed: UInt64(rows + cols))
        let g = Tensor.randomUniform([rows, cols], low: -1, high: 1, rng: &rng)
        let sums = g.reduced(toShape: Shape([cols])).scalars
        let gs = g.scalars
        for j in 0..<cols {
            let expected = (0..<rows).reduce(0.0) { $0 + Double(gs[$1 * cols + j]) }
            #expect(abs(Double(sums[j]) - expected) < 1e-3, "column \(j)")
        }
    }
}

/// The vectorised exact GELU (A&S 7.1.26 erf with the SIMD exp) against Double-precision
/// x·Φ(x) and its derivative Φ(x) + x·φ(x), over a dense grid, tails and odd lengths.
@Suite struct GELUKernelTests {
    @Test func geluAndItsPullbackMatchDoublePrecision() {
        var xs: [Float] = stride(from: -12.0, through: 12.0, by: 0.0137).map { Float($0) }
        xs += [0, -0, 1e-8, -1e-8, 40, -40, 200, -200]
        let x = Tensor(shape: [xs.count], scalars: xs)
        let y = x.gelu().scalars
        let tracked = Parameter("x", x)
        _ = valueAndGradient { tracked.tracked.gelu().sum() }
        let grad = tracked.grad!.scalars
        for (i, v) in xs.enumerated() {
            let d = Double(v)
            let cdf = 0.5 * (1 + erf(d / 2.0.squareRoot()))
            let pdf = exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
            #expect(Swift.abs(Double(y[i]) - d * cdf) <= 4e-7 * Swift.max(1, Swift.abs(d)), "gelu(\(v)) = \(y[i]) vs \(d * cdf)")
            #expect(Swift.abs(Double(grad[i]) - (cdf + d * pdf)) <= 1e-6, "gelu'(\(v)) = \(grad[i]) vs \(cdf + d * pdf)")
        }
    }
}

/// The C softmax row kernel (8-lane body + tail) against Double precision, masked and not.
@Suite struct SoftmaxKernelTests {
    @Test(arguments: [1, 7, 8, 9, 19, 200])
    func softmaxRowsMatchDoublePrecision(_ n: Int) {
        var rng = SplitMix64(seed: UInt64(n))
        let x = Tensor.randomUniform([3, n], low: -30, high: 30, rng: &rng)
        let maskValues = (0..<n).map { Float($0 % 3 == 1 ? 0 : 1) }
        let mask = Tensor(shape: [1, n], scalars: maskValues)
        for masked in [false, true] {
            let y = (masked ? x.softmax(mask: mask) : x.softmax()).scalars
            let xs = x.scalars
            for r in 0..<3 {
                let allowed = (0..<n).filter { !masked || maskValues[$0] != 0 }
                let mx = allowed.map { Double(xs[r * n + $0]) }.max()!
                let z = allowed.map { Foundation.exp(Double(xs[r * n + $0]) - mx) }.reduce(0, +)
                for j in 0..<n {
                    let expected = allowed.contains(j) ? Foundation.exp(Double(xs[r * n + j]) - mx) / z : 0
                    #expect(Swift.abs(Double(y[r * n + j]) - expected) <= 1e-6 * Swift.max(expected, 1e-3),
                            "n \(n) masked \(masked) [\(r), \(j)]: \(y[r * n + j]) vs \(expected)")
                }
            }
        }
    }
}
