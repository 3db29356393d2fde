import SeqRecCore
import SeqRecTensor

/// The position-wise feed-forward network of a Transformer block:
/// `outputDropout(W₂·innerDropout(act(W₁·x + b₁)) + b₂)`.
///
/// SASRec (gSASRec port): width d, ReLU, dropout after the activation and after W₂.
/// BERT: width 4d (or the config's), exact GELU, no inner dropout. GPT-2: tanh-GELU.
public final class FeedForward: Layer {
    /// The nonlinearity between the two maps.
    public enum Activation: String, Sendable, Codable { case relu, gelu, geluTanh }

    public let inner: Linear
    public let outer: Linear
    public let activation: Activation
    let innerDropout: Dropout
    let outputDropout: Dropout

    public init(dim: Int, hidden: Int, activation: Activation, innerDropout: Float, outputDropout: Float,
                weightInit: Initializer = .pytorchLinear, biasInit: Initializer = .pytorchLinear,
                rng: inout SplitMix64) throws {
        inner = Linear(dim, hidden, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        outer = Linear(hidden, dim, weightInit: weightInit, biasInit: biasInit, rng: &rng)
        inner.prefixNames("inner")
        outer.prefixNames("outer")
        self.activation = activation
        self.innerDropout = try Dropout(rate: innerDropout)
        self.outputDropout = try Dropout(rate: outputDropout)
    }

    public var parameters: [Parameter] { inner.parameters + outer.parameters }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        var h = inner(x)
        switch activation {
        case .relu: h = h.relu()
        case .gelu: h = h.gelu()
        case .geluTanh: h = h.geluTanh()
        }
        h = innerDropout(h, &context)
        return outputDropout(outer(h), &context)
    }
}
