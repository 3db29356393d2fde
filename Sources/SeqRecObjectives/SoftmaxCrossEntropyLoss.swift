import SeqRecCore
import SeqRecTensor

/// Full softmax cross-entropy over the catalogue (SASRec-Softmax / BERT4Rec; thesis eq. 5.5),
/// through the fused, stable `softmaxCrossEntropy` (never materialises probabilities).
public struct SoftmaxCrossEntropyLoss: Loss {
    public static let id = "softmax"
    public init() {}
    public var requirement: LossRequirement { .fullCatalogue }

    public func callAsFunction(_ input: LossInput) -> Tensor {
        guard case let .full(logits, targets, ignore) = input else {
            requireFailed("softmax: needs full-catalogue logits, got sampled ones")
        }
        return logits.softmaxCrossEntropy(targets: targets, ignoreIndex: ignore)
    }
}

/// Sampled softmax (thesis eq. 5.6): cross-entropy of the positive among itself and k sampled
/// negatives, −log(e^{s⁺} / (e^{s⁺} + Σⱼ e^{s⁻ⱼ})), averaged over real positions.
public struct SampledSoftmaxLoss: Loss {
    public static let id = "sampled-softmax"
    public let negatives: Int

    public init(negatives: Int) throws {
        try HyperparameterError.checkAtLeast("negatives", negatives, 1)
        self.negatives = negatives
    }

    public var requirement: LossRequirement { .sampledNegatives(negatives) }

    public func callAsFunction(_ input: LossInput) -> Tensor {
        let (p, n, mask) = input.sampledParts(Self.id)
        let all = Tensor.concat([p.reshaped([p.shape[0], 1]), n], axis: 1)   // [N, 1 + k], positive first
        let perPosition = -all.logSoftmax().slice(axis: 1, 0..<1).reshaped([p.shape[0]])
        return maskedMean(perPosition, mask)
    }
}
