import SeqRecCore
import SeqRecNN
import SeqRecTensor

/// A tiny causal Transformer language model over a small vocabulary, for end-to-end and
/// determinism tests of the engine (not a recommender).
public final class ToyTransformer: Layer {
    public let tokens: Embedding
    public let positions: Embedding
    public let blocks: [TransformerBlock]
    public let norm: LayerNorm
    public let head: Linear
    public let length: Int

    public init(vocabulary: Int, length: Int, dim: Int, blocks count: Int, order: TransformerBlock.Order,
                dropout: Float, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        tokens = Embedding(count: vocabulary, dim: dim, initializer: .normal(std: 0.1), rng: &rng)
        positions = Embedding(count: length, dim: dim, initializer: .normal(std: 0.1), rng: &rng)
        blocks = try (0..<count).map { i in
            let b = try TransformerBlock(order: order, dim: dim, heads: 2, hidden: 2 * dim, activation: .relu,
                                         dropout: dropout, rng: &rng)
            b.prefixNames("blocks.\(i)")
            return b
        }
        norm = LayerNorm(dim)
        head = Linear(dim, vocabulary, rng: &rng)
        self.length = length
    }

    public var parameters: [Parameter] {
        tokens.parameters + positions.parameters + blocks.flatMap(\.parameters) + norm.parameters + head.parameters
    }

    /// Next-token logits `[B·L, V]` for ids `[B, L]`.
    public func logits(_ ids: IDTensor, _ context: inout ForwardContext) -> Tensor {
        let b = ids.shape[0], l = ids.shape[1]
        let pos = IDTensor(shape: [b, l], (0..<(b * l)).map { $0 % l })
        var x = tokens(ids) + positions(pos)
        let mask = AttentionMask.causal(l)
        for block in blocks { x = block(x, mask: mask, &context) }
        return head(norm(x)).reshaped([b * l, -1])
    }

    /// Mean next-token cross-entropy of `[B, L+1]` sequences (inputs = first L, targets = last L).
    public func loss(_ sequences: [[Int]], _ context: inout ForwardContext) -> Tensor {
        let b = sequences.count, l = length
        let inputs = IDTensor(shape: [b, l], sequences.flatMap { Array($0.prefix(l)) })
        let targets = IDTensor(shape: [b * l], sequences.flatMap { Array($0.dropFirst().prefix(l)) })
        return logits(inputs, &context).softmaxCrossEntropy(targets: targets)
    }

    /// A toy task: each sequence follows a fixed random permutation of the vocabulary from a
    /// random start (so the next token is a deterministic function of the current one).
    public static func permutationTask(vocabulary: Int, length: Int, batch: Int, rng: inout SplitMix64,
                                       permutation: [Int]) -> [[Int]] {
        (0..<batch).map { _ in
            var t = rng.nextInt(below: vocabulary)
            var s = [t]
            for _ in 0..<length { t = permutation[t]; s.append(t) }
            return s
        }
    }

    /// Trains for `steps` Adam steps with a fixed seed; returns the loss of every step.
    public func train(steps: Int, vocabulary: Int, batch: Int, learningRate: Float, seed: UInt64) throws -> [Float] {
        var rng = SplitMix64(seed: seed)
        var permutation = Array(0..<vocabulary)
        permutation.shuffle(using: &rng)
        let adam = try Adam(learningRate: learningRate, beta2: 0.98)
        let pool = BufferPool()
        var losses: [Float] = []
        for step in 0..<steps {
            let data = ToyTransformer.permutationTask(vocabulary: vocabulary, length: length, batch: batch,
                                                      rng: &rng, permutation: permutation)
            zeroGradients()
            var context = ForwardContext(training: true, seed: seed &+ UInt64(step))
            let loss = pool.withPool { valueAndGradient { self.loss(data, &context) } }
            adam.step(parameters)
            losses.append(loss)
        }
        return losses
    }
}
