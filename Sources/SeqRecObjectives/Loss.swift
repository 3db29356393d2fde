import SeqRecCore
import SeqRecTensor

/// What a loss needs from the trainer, declared by the loss itself (no `if loss ==` anywhere).
public enum LossRequirement: Sendable, Equatable {
    /// Logits of the positive and of `k` sampled negatives per position.
    case sampledNegatives(Int)
    /// Logits over the whole catalogue per position.
    case fullCatalogue
}

/// The logits a loss is applied to.
public enum LossInput {
    /// `positive` `[N]`, `negatives` `[N, k]`, `mask` `[N]` (1 = real position, 0 = padding).
    case sampled(positive: Tensor, negatives: Tensor, mask: Tensor)
    /// `logits` `[N, C]` and target ids `[N]`; positions whose target is `ignoreIndex` are padding.
    case full(logits: Tensor, targets: IDTensor, ignoreIndex: Int32)
}

/// A training loss. One file per loss plus one line in `Losses.registry`.
public protocol Loss {
    static var id: String { get }
    /// What the trainer must compute for this loss.
    var requirement: LossRequirement { get }
    /// The scalar loss (mean over real positions).
    func callAsFunction(_ input: LossInput) -> Tensor
}

/// The `loss` section of a run config. `negatives` applies to sampled losses, `t` to gBCE.
public struct LossConfig: Sendable, Codable, Equatable {
    public var id = GBCELoss.id
    /// k, negatives per positive (sampled losses).
    public var negatives = 256
    /// gBCE calibration parameter t ∈ [0, 1].
    public var t = 0.75
    public init(id: String = GBCELoss.id, negatives: Int = 256, t: Double = 0.75) {
        self.id = id
        self.negatives = negatives
        self.t = t
    }
}

public enum Losses {
    /// Every loss by id: one line each.
    static let registry: [String: (LossConfig, Int) throws -> any Loss] = [
        BCELoss.id: { c, _ in try BCELoss(negatives: c.negatives) },
        GBCELoss.id: { c, n in try GBCELoss(negatives: c.negatives, t: c.t, catalogueSize: n) },
        SoftmaxCrossEntropyLoss.id: { _, _ in SoftmaxCrossEntropyLoss() },
        SampledSoftmaxLoss.id: { c, _ in try SampledSoftmaxLoss(negatives: c.negatives) },
    ]

    /// k beyond |I| − 1 (one negative per other item at most, α ≤ 1), named `negatives`.
    static func tooManyNegatives(_ k: Int, catalogueSize: Int) -> HyperparameterError {
        HyperparameterError(key: "negatives", value: "\(k)", allowed: "[1, \(catalogueSize - 1)] (|I| − 1)")
    }

    /// The registered ids.
    public static var all: [String] { registry.keys.sorted() }

    /// The loss a config names, for a catalogue of `catalogueSize` items.
    /// - Throws: `ConfigError.unknownComponent` listing the valid ids; `HyperparameterError`
    ///   naming `loss.negatives` (1 … |I| − 1: more negatives than other items is an error) or `loss.t`.
    public static func make(_ config: LossConfig, catalogueSize: Int) throws -> any Loss {
        guard let build = registry[config.id] else {
            throw ConfigError.unknownComponent(family: "loss", id: config.id, valid: all)
        }
        return try validating(section: "loss") {
            try HyperparameterError.check("t", config.t, in: 0.0...1.0)
            let loss = try build(config, catalogueSize)
            if case .sampledNegatives(let k) = loss.requirement, k > catalogueSize - 1 {
                throw tooManyNegatives(k, catalogueSize: catalogueSize)
            }
            return loss
        }
    }
}

extension LossInput {
    /// The sampled form's parts, or a stop naming the loss that needed them.
    func sampledParts(_ loss: String) -> (Tensor, Tensor, Tensor) {
        guard case let .sampled(p, n, m) = self else { requireFailed("\(loss): needs sampled negatives, got full logits") }
        require(p.rank == 1 && n.rank == 2 && n.shape[0] == p.shape[0] && m.shape == p.shape,
                "\(loss): positive \(p.shape), negatives \(n.shape), mask \(m.shape) must be [N], [N, k], [N]")
        return (p, n, m)
    }
}

/// Σ(perPosition ⊙ mask) / max(Σ mask, 1): the mean over real positions.
func maskedMean(_ perPosition: Tensor, _ mask: Tensor) -> Tensor {
    let count = Swift.max(mask.detached.sum().scalar, 1)
    return (perPosition * mask).sum() / count
}
