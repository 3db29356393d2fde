import SeqRecCore
import SeqRecNN
import SeqRecTensor
import SeqRecTestSupport
import Testing

/// One row per layer: builds the layer and a scalar loss over its output, including an input
/// parameter so input gradients are checked too. Adding a layer = adding one row.
struct LayerCase: CustomStringConvertible, Sendable {
    let name: String
    let make: @Sendable () -> (parameters: [Parameter], loss: () -> Tensor)
    var description: String { name }
}

/// Σ y ⊙ W with a fixed random W, so every output element matters.
func projected(_ y: Tensor, seed: UInt64 = 5) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return (y * Tensor.randomUniform(y.shape, low: 0.5, high: 1.5, rng: &rng)).sum()
}

func input(_ shape: [Int], seed: UInt64 = 3) -> Parameter {
    var rng = SplitMix64(seed: seed)
    return Parameter("x", .randomUniform(Shape(shape), low: -1, high: 1, rng: &rng))
}

/// Tokens `[2, 4]` with left padding in the first row.
let tokenMask = Tensor(shape: [2, 4], scalars: [0, 1, 1, 1, 1, 1, 1, 1])

let layerCases: [LayerCase] = [
    LayerCase(name: "Linear") {
        var rng = SplitMix64(seed: 1)
        let l = Linear(4, 3, rng: &rng), x = input([2, 3, 4])
        return (l.parameters + [x], { projected(l(x.tracked)) })
    },
    LayerCase(name: "Linear without bias") {
        var rng = SplitMix64(seed: 1)
        let l = Linear(4, 3, bias: false, rng: &rng), x = input([5, 4])
        return (l.parameters + [x], { projected(l(x.tracked)) })
    },
    LayerCase(name: "Embedding with padding") {
        var rng = SplitMix64(seed: 1)
        let e = Embedding(count: 6, dim: 3, paddingID: 5, rng: &rng)
        let ids = IDTensor(shape: [2, 3], [5, 1, 2, 2, 0, 5])
        return (e.parameters, { projected(e(ids)) })
    },
    LayerCase(name: "LayerNorm") {
        let n = LayerNorm(5), x = input([3, 5])
        var rng = SplitMix64(seed: 2)
        n.gamma.assign(.randomUniform([5], low: 0.5, high: 1.5, rng: &rng))
        return (n.parameters + [x], { projected(n(x.tracked)) })
    },
    LayerCase(name: "FeedForward ReLU with dropout") {
        var rng = SplitMix64(seed: 1)
        let f = try! FeedForward(dim: 4, hidden: 6, activation: .relu, innerDropout: 0.3, outputDropout: 0.3, rng: &rng)
        let x = input([2, 3, 4])
        return (f.parameters + [x], { var c = ForwardContext(training: true, seed: 9); return projected(f(x.tracked, &c)) })
    },
    LayerCase(name: "FeedForward GELU") {
        var rng = SplitMix64(seed: 1)
        let f = try! FeedForward(dim: 4, hidden: 8, activation: .gelu, innerDropout: 0, outputDropout: 0, rng: &rng)
        let x = input([3, 4])
        return (f.parameters + [x], { var c = ForwardContext.inference; return projected(f(x.tracked, &c)) })
    },
    LayerCase(name: "MultiHeadAttention standard, 2 heads, causal + padding") {
        var rng = SplitMix64(seed: 1)
        let a = try! MultiHeadAttention(dim: 6, heads: 2, form: .standard, attentionDropout: 0, rng: &rng)
        let x = input([2, 4, 6]), mask = AttentionMask.causal(keyPadding: tokenMask)
        return (a.parameters + [x], {
            var c = ForwardContext.inference
            return projected(a(queries: x.tracked, keysValues: x.tracked, mask: mask, &c))
        })
    },
    LayerCase(name: "DisentangledAttention (DeBERTa), 2 heads, key padding, relative table") {
        var rng = SplitMix64(seed: 1)
        let a = try! DisentangledAttention(dim: 6, heads: 2, attentionDropout: 0, rng: &rng)
        let x = input([2, 4, 6]), relative = input([6, 6])
        let mask = AttentionMask.keyPadding(tokenMask)
        return (a.parameters + [x, relative], {
            var c = ForwardContext.inference
            return projected(a(x.tracked, relative: relative.tracked, mask: mask, &c))
        })
    },
    LayerCase(name: "DisentangledBlock (post-LN, GELU)") {
        var rng = SplitMix64(seed: 2)
        let b = try! DisentangledBlock(dim: 4, heads: 2, hidden: 8, dropout: 0, attentionDropout: 0, rng: &rng)
        let x = input([2, 4, 4]), relative = input([4, 4])
        return (b.parameters + [x, relative], {
            var c = ForwardContext.inference
            return projected(b(x.tracked, relative: relative.tracked, mask: AttentionMask.keyPadding(tokenMask), &c))
        })
    },
    LayerCase(name: "MultiHeadAttention SASRec form, dropout on weights") {
        var rng = SplitMix64(seed: 1)
        let a = try! MultiHeadAttention(dim: 4, heads: 2, form: .sasrec, attentionDropout: 0.2, rng: &rng)
        let x = input([2, 4, 4]), q = input([2, 4, 4], seed: 8), mask = AttentionMask.causal(4)
        return (a.parameters + [x, q], {
            var c = ForwardContext(training: true, seed: 4)
            return projected(a(queries: q.tracked, keysValues: x.tracked, mask: mask, &c))
        })
    },
    LayerCase(name: "TransformerBlock sasrec") {
        var rng = SplitMix64(seed: 1)
        let b = try! TransformerBlock(order: .sasrec, dim: 4, heads: 1, hidden: 4, activation: .relu, dropout: 0.2, rng: &rng)
        let x = input([2, 4, 4])
        let mask = AttentionMask.causal(keyPadding: tokenMask), tm = tokenMask.reshaped([2, 4, 1])
        return (b.parameters + [x], {
            var c = ForwardContext(training: true, seed: 4)
            return projected(b(x.tracked, mask: mask, tokenMask: tm, &c))
        })
    },
    LayerCase(name: "TransformerBlock preLN") {
        var rng = SplitMix64(seed: 1)
        let b = try! TransformerBlock(order: .preLN, dim: 4, heads: 2, hidden: 8, activation: .geluTanh, dropout: 0.1, rng: &rng)
        let x = input([2, 3, 4])
        return (b.parameters + [x], {
            var c = ForwardContext(training: true, seed: 4)
            return projected(b(x.tracked, mask: AttentionMask.causal(3), &c))
        })
    },
    LayerCase(name: "TransformerBlock postLN") {
        var rng = SplitMix64(seed: 1)
        let b = try! TransformerBlock(order: .postLN, dim: 4, heads: 2, hidden: 8, activation: .gelu, dropout: 0, rng: &rng)
        let x = input([2, 4, 4])
        return (b.parameters + [x], {
            var c = ForwardContext.inference
            return projected(b(x.tracked, mask: AttentionMask.keyPadding(tokenMask), &c))
        })
    },
    LayerCase(name: "GRU with padding mask") {
        var rng = SplitMix64(seed: 1)
        let g = GRU(inputSize: 3, hiddenSize: 4, rng: &rng)
        let x = input([2, 4, 3])
        return (g.parameters + [x], { projected(g(x.tracked, mask: tokenMask)) })
    },
]

@Suite struct LayerGradientTests {
    @Test(arguments: layerCases)
    func parameterAndInputGradients(_ layer: LayerCase) {
        let (parameters, loss) = layer.make()
        let report = GradientCheck.checkParameters(parameters, loss)
        #expect(report.passed, "\(layer.name): \(report) [\(parameters[Swift.max(report.worstInput, 0)].name)]")
    }

    @Test func embeddingPaddingRowStaysZero() {
        var rng = SplitMix64(seed: 1)
        let e = Embedding(count: 4, dim: 2, paddingID: 0, rng: &rng)
        valueAndGradient { e(IDTensor(shape: [3], [0, 1, 0])).sum() }
        let g = e.table.grad!.scalars
        #expect(g[0] == 0 && g[1] == 0 && g[2] == 1 && g[3] == 1 && g[4] == 0)
        #expect(e.table.value.scalars[0] == 0 && e.table.value.scalars[1] == 0)
    }
}
