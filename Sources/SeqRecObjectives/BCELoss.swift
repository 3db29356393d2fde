import SeqRecCore
import SeqRecTensor

/// Binary cross-entropy over a positive and k sampled negatives (SASRec; thesis eq. 5.3):
/// per position (−log σ(s⁺) − Σⱼ log(1 − σ(s⁻ⱼ))) / (k + 1), averaged over real positions — the
/// gSASRec port's normalisation (mean over the k + 1 logits, then over non-padded positions).
public struct BCELoss: Loss {
    public static let id = "bce"
    public let negatives: Int

    /// The loss's own keys.
    public struct Config: Codable, Sendable, Equatable {
        /// k, sampled negatives per positive.
        public var negatives = 1
        public init() {}
    }
    public static let entry = LossEntry(id: id, section: "loss", summary: "binary cross-entropy over the positive and k sampled negatives (SASRec)",
                                        config: Config.self, defaults: Config()) { c, _ in try BCELoss(negatives: c.negatives) }

    public init(negatives: Int) throws {
        try HyperparameterError.checkAtLeast("negatives", negatives, 1)
        self.negatives = negatives
    }

    public var requirement: LossRequirement { .sampledNegatives(negatives) }

    public var probability: ProbabilityTransform? { .sigmoid }

    public func callAsFunction(_ input: LossInput) -> Tensor {
        let (p, n, mask) = input.sampledParts(Self.id)
        let perPosition = ((-p.logSigmoid()) + n.softplus().sum(axis: 1)) / Float(n.shape[1] + 1)
        return maskedMean(perPosition, mask)
    }
}
