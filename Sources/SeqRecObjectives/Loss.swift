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

/// A training loss. One file per loss plus one line in `Losses.all`.
public protocol Loss {
    static var id: String { get }
    /// What the trainer must compute for this loss.
    var requirement: LossRequirement { get }
    /// The scalar loss (mean over real positions).
    func callAsFunction(_ input: LossInput) -> Tensor
}

public enum Losses {
    public static let all: [String] = [BCELoss.id, GBCELoss.id, SoftmaxCrossEntropyLoss.id, SampledSoftmaxLoss.id]
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
