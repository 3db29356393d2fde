import SeqRecCore
import SeqRecTensor

/// Sampled softmax (thesis eq. 5.6): cross-entropy of the positive among itself and k sampled
/// negatives, −log(e^{s⁺} / (e^{s⁺} + Σⱼ e^{s⁻ⱼ})), averaged over real positions.
public struct SampledSoftmaxLoss: Loss {
    public static let id = "sampled-softmax"
    public let negatives: Int

    /// The loss's own keys.
    public struct Config: Codable, Sendable, Equatable {
        /// k, uniformly sampled negatives per positive.
        public var negatives = 256
        public init() {}
    }
    public static let entry = LossEntry(id: id, section: "loss", summary: "softmax over the positive and k sampled negatives (eq. 5.6)",
                                        config: Config.self, defaults: Config()) { c, _ in try SampledSoftmaxLoss(negatives: c.negatives) }

    public init(negatives: Int) throws {
        try HyperparameterError.checkAtLeast("negatives", negatives, 1)
        self.negatives = negatives
    }

    public var requirement: LossRequirement { .sampledNegatives(negatives) }

    public var probability: ProbabilityTransform? { .softmax }

    public func callAsFunction(_ input: LossInput) -> Tensor {
        let (p, n, mask) = input.sampledParts(Self.id)
        let all = Tensor.concat([p.reshaped([p.shape[0], 1]), n], axis: 1)   // [N, 1 + k], positive first
        let perPosition = -all.logSoftmax().slice(axis: 1, 0..<1).reshaped([p.shape[0]])
        return maskedMean(perPosition, mask)
    }
}
