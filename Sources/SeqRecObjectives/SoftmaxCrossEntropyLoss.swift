import SeqRecCore
import SeqRecTensor

/// Full softmax cross-entropy over the catalogue (SASRec-Softmax / BERT4Rec; thesis eq. 5.5),
/// through the fused, stable `softmaxCrossEntropy` (never materialises probabilities).
public struct SoftmaxCrossEntropyLoss: Loss {
    public static let id = "softmax"
    /// No keys of its own.
    public struct Config: Codable, Sendable, Equatable { public init() {} }
    public static let entry = LossEntry(id: id, section: "loss", summary: "full softmax cross-entropy over the catalogue (eq. 5.5)",
                                        config: Config.self, defaults: Config()) { _, _ in SoftmaxCrossEntropyLoss() }

    public init() {}
    public var requirement: LossRequirement { .fullCatalogue }
    public var probability: ProbabilityTransform? { .softmax }

    public func callAsFunction(_ input: LossInput) -> Tensor {
        guard case let .full(logits, targets, ignore) = input else {
            requireFailed("softmax: needs full-catalogue logits, got sampled ones")
        }
        return logits.softmaxCrossEntropy(targets: targets, ignoreIndex: ignore)
    }
}
