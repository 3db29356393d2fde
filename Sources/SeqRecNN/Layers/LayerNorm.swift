import SeqRecCore
import SeqRecTensor

/// Layer normalisation over the last axis with learnable γ (ones) and β (zeros).
///
/// ε differs by framework: PyTorch 1e-5, Keras 1e-3, HuggingFace BERT 1e-12 — set it to match
/// the reference being reproduced.
public final class LayerNorm: Layer {
    /// γ, `[dim]`.
    public let gamma: Parameter
    /// β, `[dim]`.
    public let beta: Parameter
    /// ε added to the variance.
    public let epsilon: Float

    public init(_ dim: Int, epsilon: Float = 1e-5) {
        require(dim > 0, "LayerNorm: dim must be positive")
        gamma = Parameter("gamma", .ones(Shape([dim])))
        beta = Parameter("beta", .zeros(Shape([dim])))
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [gamma, beta] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(gamma: gamma.tracked, beta: beta.tracked, epsilon: epsilon)
    }
}
