import SeqRecCore
import SeqRecTensor

/// The form of logits a loss is applied to, declared by the loss itself; the output head
/// computes that form (no switch on loss kinds anywhere).
public enum LossRequirement: Sendable, Equatable {
    /// Logits of the positive and of `k` sampled negatives per target.
    case sampledNegatives(Int)
    /// Logits over the whole catalogue per target.
    case fullCatalogue
}

/// The logits a loss is applied to.
public enum LossInput {
    /// `positive` `[N]`, `negatives` `[N, k]`, `mask` `[N]` (per-target weights: 1 = counts, 0 = ignored).
    case sampled(positive: Tensor, negatives: Tensor, mask: Tensor)
    /// `logits` `[N, C]` and target ids `[N]`; positions whose target is `ignoreIndex` are padding.
    case full(logits: Tensor, targets: IDTensor, ignoreIndex: Int32)
}

/// A training loss. One file per loss (with its `Config` and registry `entry`) plus one line in
/// `Losses.registry`.
public protocol Loss {
    /// What the output head must compute for this loss.
    var requirement: LossRequirement { get }
    /// The scalar loss (mean over real targets).
    func callAsFunction(_ input: LossInput) -> Tensor
    /// How the trained model's scores read as probabilities (calibration, ECE); nil where the
    /// loss defines none.
    var probability: ProbabilityTransform? { get }
}

extension Loss {
    public var probability: ProbabilityTransform? { nil }
}

/// A registered loss: its id, its own settings, and how to build it for a catalogue.
public typealias LossEntry = ComponentEntry<any Loss>

/// The `loss` section of a run config: `{"id": …, …the loss's own keys}`.
public typealias LossConfig = ComponentConfig

extension ComponentConfig {
    /// BCE with k sampled negatives (SASRec).
    public static func bce(negatives: Int) -> ComponentConfig { .init(id: BCELoss.id, settings: ["negatives": .number(Double(negatives))]) }
    /// gBCE with k sampled negatives and calibration t (gSASRec).
    public static func gbce(negatives: Int, t: Double) -> ComponentConfig {
        .init(id: GBCELoss.id, settings: ["negatives": .number(Double(negatives)), "t": .number(t)])
    }
    /// Full softmax cross-entropy over the catalogue.
    public static var softmax: ComponentConfig { .init(id: SoftmaxCrossEntropyLoss.id) }
    /// Sampled softmax with k uniform negatives.
    public static func sampledSoftmax(negatives: Int) -> ComponentConfig {
        .init(id: SampledSoftmaxLoss.id, settings: ["negatives": .number(Double(negatives))])
    }
}

public enum Losses {
    /// Every loss: one line each.
    public static let registry = Registry<LossEntry>(family: "loss", [
        BCELoss.entry,
        GBCELoss.entry,
        SampledSoftmaxLoss.entry,
        SoftmaxCrossEntropyLoss.entry,
    ])

    /// The default `loss` section (gSASRec's gBCE, 256 negatives, t 0.75).
    public static var defaultConfig: LossConfig { try! registry.defaults(GBCELoss.id) }

    /// k beyond |I| − 1 (one negative per other item at most, α ≤ 1), named `negatives`.
    static func tooManyNegatives(_ k: Int, catalogueSize: Int) -> HyperparameterError {
        HyperparameterError(key: "negatives", value: "\(k)", allowed: "[1, \(catalogueSize - 1)] (|I| − 1)")
    }

    /// The registered ids.
    public static var all: [String] { registry.ids }

    /// The loss a config names, for a catalogue of `catalogueSize` items.
    /// - Throws: `ConfigError.unknownComponent` listing the valid ids; `ConfigError` for keys the
    ///   loss does not have; `HyperparameterError` naming `loss.<key>` for out-of-range values
    ///   (`loss.negatives` must lie in 1 … |I| − 1).
    public static func make(_ config: LossConfig, catalogueSize: Int) throws -> any Loss {
        let entry = try registry.entry(config.id)
        let settings = try entry.settings.resolve(config.settings, section: "loss")
        return try validating(section: "loss") {
            let loss = try entry.make(settings, catalogueSize)
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

/// Σ(perPosition ⊙ mask) / max(Σ mask, 1): the weighted mean over real targets.
func maskedMean(_ perPosition: Tensor, _ mask: Tensor) -> Tensor {
    let count = Swift.max(mask.detached.sum().scalar, 1)
    return (perPosition * mask).sum() / count
}
