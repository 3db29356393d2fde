import SeqRecCore
import SeqRecTensor
import SeqRecTestSupport
import Testing

/// One row of the gradient table: an op applied to seeded random inputs.
struct OpCase: CustomStringConvertible, Sendable {
    let name: String
    let shapes: [[Int]]
    /// Sampling range per input (the last one repeats).
    var ranges: [ClosedRange<Float>] = [-2...2]
    let f: @Sendable ([Tensor]) -> Tensor
    var description: String { name }

    func inputs(seed: UInt64) -> [Tensor] {
        var rng = SplitMix64(seed: seed)
        return shapes.enumerated().map { i, s in
            let r = ranges[Swift.min(i, ranges.count - 1)]
            return Tensor.randomUniform(Shape(s), low: r.lowerBound, high: r.upperBound, rng: &rng)
        }
    }
}

let ids = IDTensor(shape: [2, 3], [1, 4, 1, 0, 4, 2])
let lastIDs = IDTensor(shape: [2, 3, 2], [0, 3, 1, 1, 2, 0, 3, 3, 0, 2, 1, 0])
let softMask = Tensor(shape: [1, 3, 4], scalars: [1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1])
/// Broadcasts to [2, 2, 3, 5]; batch row 1's first query row sees nothing.
let attentionMask = Tensor(shape: [2, 1, 3, 5], scalars: [1, 1, 0, 1, 1,  1, 1, 1, 1, 1,  0, 1, 1, 1, 0,
                                                          0, 0, 0, 0, 0,  1, 0, 0, 0, 1,  1, 1, 1, 1, 1])

/// Adding an op = adding one row here.
let opCases: [OpCase] = [
    OpCase(name: "add", shapes: [[2, 3], [2, 3]]) { $0[0] + $0[1] },
    OpCase(name: "add broadcast trailing", shapes: [[2, 3, 4], [4]]) { $0[0] + $0[1] },
    OpCase(name: "add broadcast both", shapes: [[2, 3, 1], [2, 1, 4]]) { $0[0] + $0[1] },
    OpCase(name: "sub broadcast", shapes: [[2, 3, 4], [3, 1]]) { $0[0] - $0[1] },
    OpCase(name: "mul broadcast", shapes: [[2, 3, 4], [2, 3, 1]]) { $0[0] * $0[1] },
    OpCase(name: "mul scalar tensor", shapes: [[2, 3], []]) { $0[0] * $0[1] },
    OpCase(name: "div", shapes: [[2, 3], [2, 3]], ranges: [-2...2, 0.5...2]) { $0[0] / $0[1] },
    OpCase(name: "div broadcast", shapes: [[2, 3], [3]], ranges: [-2...2, 0.5...2]) { $0[0] / $0[1] },
    OpCase(name: "neg", shapes: [[5]]) { -$0[0] },
    OpCase(name: "scalar affine", shapes: [[5]]) { 3 - ($0[0] * 2 + 1) / 4 },
    OpCase(name: "exp", shapes: [[2, 4]]) { $0[0].exp() },
    OpCase(name: "log", shapes: [[2, 4]], ranges: [0.5...3]) { $0[0].log() },
    OpCase(name: "sqrt", shapes: [[2, 4]], ranges: [0.5...3]) { $0[0].sqrt() },
    OpCase(name: "tanh", shapes: [[2, 4]]) { $0[0].tanh() },
    OpCase(name: "sigmoid", shapes: [[2, 4]]) { $0[0].sigmoid() },
    OpCase(name: "logSigmoid", shapes: [[2, 4]], ranges: [-6...6]) { $0[0].logSigmoid() },
    OpCase(name: "softplus", shapes: [[2, 4]], ranges: [-6...6]) { $0[0].softplus() },
    OpCase(name: "relu", shapes: [[3, 4]]) { $0[0].relu() },
    OpCase(name: "gelu exact", shapes: [[3, 4]], ranges: [-3...3]) { $0[0].gelu() },
    OpCase(name: "gelu tanh", shapes: [[3, 4]], ranges: [-3...3]) { $0[0].geluTanh() },
    OpCase(name: "sum axis", shapes: [[2, 3, 4]]) { $0[0].sum(axis: 1) },
    OpCase(name: "sum axes keepDims", shapes: [[2, 3, 4]]) { $0[0].sum(axes: [0, 2], keepDims: true) },
    OpCase(name: "sum all", shapes: [[2, 3, 4]]) { $0[0].sum() },
    OpCase(name: "mean axis", shapes: [[2, 3, 4]]) { $0[0].mean(axis: -1) },
    OpCase(name: "max axis", shapes: [[2, 3, 4]]) { $0[0].max(axis: 1) },
    OpCase(name: "reshape", shapes: [[2, 6]]) { $0[0].reshaped([3, -1]) * $0[0].reshaped([3, 4]) },
    OpCase(name: "transpose", shapes: [[2, 3, 4]]) { $0[0].transposed(0, 2) },
    OpCase(name: "permute", shapes: [[2, 3, 4, 2]]) { $0[0].permuted([0, 2, 1, 3]) },
    OpCase(name: "slice", shapes: [[2, 5, 3]]) { $0[0].slice(axis: 1, 1..<4) },
    OpCase(name: "split", shapes: [[2, 6]]) { let p = $0[0].split(axis: 1, sizes: [1, 2, 3]); return p[1] * p[1] + p[2].sum(axis: 1, keepDims: true) },
    OpCase(name: "concat", shapes: [[2, 1, 3], [2, 2, 3], [2, 3, 3]]) { Tensor.concat($0, axis: 1) },
    OpCase(name: "select", shapes: [[2, 4], [2, 4]]) { Tensor.select(Tensor(shape: [1, 4], scalars: [1, 0, 0, 1]), $0[0], $0[1]) },
    OpCase(name: "maskedFill", shapes: [[2, 4]]) { $0[0].maskedFill(Tensor(shape: [4], scalars: [0, 1, 0, 0]), with: -5) },
    OpCase(name: "gatherRows", shapes: [[5, 3]]) { $0[0].gatherRows(ids) },
    OpCase(name: "gatherRows padding", shapes: [[5, 3]]) { $0[0].gatherRows(ids, paddingID: 4) },
    OpCase(name: "gatherLast", shapes: [[2, 3, 4]]) { $0[0].gatherLast(lastIDs) },
    OpCase(name: "sampledDot", shapes: [[3, 4], [6, 4]]) { Tensor.sampledDot($0[0], $0[1], IDTensor(shape: [3, 2], [5, 0, 2, 2, 5, 1])) },
    // Widths and counts that take every path of the C kernels: 64- and 16-column blocks, the
    // scalar tail, four sampled rows at a time and the rest.
    OpCase(name: "sampledDot d 83, k 7", shapes: [[3, 83], [6, 83]]) {
        Tensor.sampledDot($0[0], $0[1], IDTensor(shape: [3, 7], [5, 0, 2, 2, 5, 1, 3,  4, 4, 0, 1, 2, 3, 5,  1, 1, 1, 0, 5, 2, 4]))
    },
    OpCase(name: "sampledDot d 32, k 8", shapes: [[2, 32], [5, 32]]) {
        Tensor.sampledDot($0[0], $0[1], IDTensor(shape: [2, 8], [4, 0, 2, 2, 3, 1, 3, 0,  1, 4, 4, 0, 1, 2, 3, 3]))
    },
    OpCase(name: "matmul", shapes: [[3, 4], [4, 5]]) { Tensor.matmul($0[0], $0[1]) },
    OpCase(name: "matmul Aᵀ", shapes: [[4, 3], [4, 5]]) { Tensor.matmul($0[0], $0[1], transposeA: true) },
    OpCase(name: "matmul Bᵀ", shapes: [[3, 4], [5, 4]]) { Tensor.matmul($0[0], $0[1], transposeB: true) },
    OpCase(name: "matmul AᵀBᵀ", shapes: [[4, 3], [5, 4]]) { Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true) },
    OpCase(name: "matmul batched", shapes: [[2, 3, 4], [2, 4, 5]]) { Tensor.matmul($0[0], $0[1]) },
    OpCase(name: "matmul batched Bᵀ 4D", shapes: [[2, 2, 3, 4], [2, 2, 5, 4]]) { Tensor.matmul($0[0], $0[1], transposeB: true) },
    OpCase(name: "matmul shared weight", shapes: [[2, 3, 4], [4, 5]]) { Tensor.matmul($0[0], $0[1]) },
    OpCase(name: "matmul shared weight Bᵀ", shapes: [[2, 3, 4], [5, 4]]) { Tensor.matmul($0[0], $0[1], transposeB: true) },
    OpCase(name: "matmul batched Aᵀ shared B", shapes: [[2, 4, 3], [4, 5]]) { Tensor.matmul($0[0], $0[1], transposeA: true) },
    OpCase(name: "matmul shared A batched B", shapes: [[3, 4], [2, 4, 5]]) { Tensor.matmul($0[0], $0[1]) },
    OpCase(name: "softmax", shapes: [[2, 3, 4]]) { $0[0].softmax() },
    OpCase(name: "softmax masked", shapes: [[2, 3, 4]]) { $0[0].softmax(mask: softMask) },
    OpCase(name: "logSoftmax", shapes: [[2, 3, 4]]) { $0[0].logSoftmax() },
    OpCase(name: "logSoftmax masked", shapes: [[2, 3, 4]]) {
        $0[0].logSoftmax(mask: softMask).maskedFill(1 - softMask, with: 0)
    },
    OpCase(name: "linear (fused bias)", shapes: [[2, 3, 5], [4, 5], [4]]) {
        Tensor.linear($0[0], weight: $0[1], bias: $0[2])
    },
    OpCase(name: "layerNorm", shapes: [[2, 3, 6], [6], [6]]) { $0[0].layerNorm(gamma: $0[1], beta: $0[2], epsilon: 1e-5) },
    // d = 19: the kernel's 8-lane body (16 elements) plus a 3-element tail.
    OpCase(name: "layerNorm 8-lane body and tail", shapes: [[3, 19], [19], [19]]) {
        $0[0].layerNorm(gamma: $0[1], beta: $0[2], epsilon: 1e-5)
    },
    OpCase(name: "dropout", shapes: [[4, 8]]) { $0[0].dropout(rate: 0.4, seed: 99) },
    OpCase(name: "softmaxCrossEntropy 19 classes", shapes: [[3, 19]]) {   // the kernels' 8-lane body and tail
        $0[0].softmaxCrossEntropy(targets: IDTensor(shape: [3], [18, 7, -1]))
    },
    OpCase(name: "softmaxCrossEntropy", shapes: [[4, 5]]) {
        $0[0].softmaxCrossEntropy(targets: IDTensor(shape: [4], [2, -1, 0, 4]))
    },
    OpCase(name: "softmaxCrossEntropy, upstream gradient ≠ 1", shapes: [[4, 5]]) {   // the pullback's scaled path
        $0[0].softmaxCrossEntropy(targets: IDTensor(shape: [4], [2, -1, 0, 4])) * 2.5
    },
    OpCase(name: "binaryCrossEntropyWithLogits", shapes: [[3, 4], [3, 4]], ranges: [-4...4, 0...1]) {
        $0[0].binaryCrossEntropyWithLogits(labels: $0[1])
    },
    OpCase(name: "attention 2 heads masked", shapes: [[2, 3, 4], [2, 5, 4], [2, 5, 4]]) {
        Tensor.attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 2, scale: 0.7, mask: attentionMask)
    },
    OpCase(name: "attention 3 heads dropout", shapes: [[2, 4, 6], [2, 4, 6], [2, 4, 6]]) {
        Tensor.attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 3, scale: 0.5, mask: nil,
                         dropoutRate: 0.3, seed: 5)
    },
]

@Suite struct OpGradientTests {
    @Test(arguments: opCases)
    func gradientMatchesFiniteDifferences(_ op: OpCase) {
        let report = GradientCheck.check(op.inputs(seed: 11), op.f)
        #expect(report.passed, "\(op.name): \(report)")
        #expect(report.checked > 0)
    }

    /// sampledDot at the gSASRec width (d 128, k 257) against double-precision dot products; its
    /// pullbacks against the same sums accumulated in double.
    @Test func sampledDotAtFullWidthMatchesDoublePrecision() {
        var rng = SplitMix64(seed: 31)
        let rows = 9, k = 257, d = 128, v = 40
        let h = Tensor.randomNormal([rows, d], rng: &rng), t = Tensor.randomNormal([v, d], rng: &rng)
        let ids = IDTensor(shape: [rows, k], ids: (0..<(rows * k)).map { _ in Int32(rng.nextInt(below: v)) })
        let g = Tensor.randomNormal([rows, k], rng: &rng)
        let hp = Parameter("h", h), tp = Parameter("t", t)
        var out: [Float] = []
        _ = valueAndGradient {
            let o = Tensor.sampledDot(hp.tracked, tp.tracked, ids)
            out = o.scalars
            return (o * g).sum()
        }
        let hs = h.scalars, ts = t.scalars, gs = g.scalars
        var dh = [Double](repeating: 0, count: rows * d), dt = [Double](repeating: 0, count: v * d)
        for r in 0..<rows {
            for j in 0..<k {
                let id = Int(ids.ids[r * k + j])
                var dot = 0.0
                for x in 0..<d { dot += Double(hs[r * d + x]) * Double(ts[id * d + x]) }
                #expect(Swift.abs(Double(out[r * k + j]) - dot) < 1e-4)
                for x in 0..<d {
                    dh[r * d + x] += Double(gs[r * k + j]) * Double(ts[id * d + x])
                    dt[id * d + x] += Double(gs[r * k + j]) * Double(hs[r * d + x])
                }
            }
        }
        #expect(zip(hp.grad!.scalars, dh).map { Swift.abs(Double($0) - $1) }.max()! < 1e-3)
        #expect(zip(tp.grad!.scalars, dt).map { Swift.abs(Double($0) - $1) }.max()! < 1e-3)
    }

    @Test func checkerCatchesAWrongGradient() {
        // A deliberately wrong pullback: forward 2x, gradient claimed to be 3 (via stop-gradient trick).
        let x = Tensor([0.5, -1, 2])
        let report = GradientCheck.check([x]) { xs in xs[0] * 3 - xs[0].detached }
        #expect(!report.passed)
    }
}
