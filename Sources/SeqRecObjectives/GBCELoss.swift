import SeqRecCore
import SeqRecTensor

/// Generalised binary cross-entropy (gSASRec; thesis eq. 5.9): the positive's probability is
/// raised to β, so its term is −β·log σ(s⁺), with α = k / (|I| − 1) and β = t(α − 1) + 1
/// (eq. 5.28): t = 0 gives BCE (β = 1), t = 1 gives β = α, whose optimum is calibrated
/// (Theorem 5.5.1). Computed in log space — no float64 widening — and equal to the port's
/// transformed-logit form s⁺′ = log(1 / (σ(s⁺)^−β − 1)) wherever the port's clamps are inactive.
public struct GBCELoss: Loss {
    public static let id = "gbce"
    public let negatives: Int
    public let t: Double
    public let catalogueSize: Int

    /// The loss's own keys.
    public struct Config: Codable, Sendable, Equatable {
        /// k, sampled negatives per positive.
        public var negatives = 256
        /// Calibration parameter t ∈ [0, 1] (eq. 5.28).
        public var t = 0.75
        public init() {}
    }
    public static let entry = LossEntry(id: id, section: "loss", summary: "generalised BCE with k sampled negatives and calibration t (gSASRec, eq. 5.9)",
                                        config: Config.self, defaults: Config()) { c, n in
        try GBCELoss(negatives: c.negatives, t: c.t, catalogueSize: n)
    }

    public init(negatives: Int, t: Double, catalogueSize: Int) throws {
        try HyperparameterError.checkAtLeast("negatives", negatives, 1)
        try HyperparameterError.check("t", t, in: 0.0...1.0)
        // α = k / (|I| − 1) ≤ 1: more negatives than other items is an error (named `negatives`).
        if negatives > catalogueSize - 1 { throw Losses.tooManyNegatives(negatives, catalogueSize: catalogueSize) }
        self.negatives = negatives
        self.t = t
        self.catalogueSize = catalogueSize
    }

    /// α = k / (|I| − 1), the sampling rate of a negative.
    public var alpha: Double { Double(negatives) / Double(catalogueSize - 1) }
    /// β = t(α − 1) + 1.
    public var beta: Double { t * (alpha - 1) + 1 }

    public var requirement: LossRequirement { .sampledNegatives(negatives) }

    public var probability: ProbabilityTransform? { .sigmoid }

    public func callAsFunction(_ input: LossInput) -> Tensor {
        let (p, n, mask) = input.sampledParts(Self.id)
        let perPosition = (p.logSigmoid() * Float(-beta) + n.softplus().sum(axis: 1)) / Float(n.shape[1] + 1)
        return maskedMean(perPosition, mask)
    }
}
