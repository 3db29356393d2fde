import SeqRecCore
import SeqRecTensor

/// y = x·Wᵀ + b over the last axis: `[…, in]` → `[…, out]`.
///
/// The weight is stored `[out, in]` like PyTorch's `nn.Linear` (so checkpoints map one to one)
/// and applied with a transpose flag, not a copy.
public final class Linear: Layer {
    /// `[out, in]`.
    public let weight: Parameter
    /// `[out]`, or nil without bias.
    public let bias: Parameter?

    /// A linear map with PyTorch's default initialisation unless told otherwise.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                weightInit: Initializer = .pytorchLinear, biasInit: Initializer = .pytorchLinear,
                rng: inout SplitMix64) {
        require(inFeatures > 0 && outFeatures > 0, "Linear: sizes must be positive, got \(inFeatures)→\(outFeatures)")
        weight = Parameter("weight", weightInit.make(Shape([outFeatures, inFeatures]), fanIn: inFeatures,
                                                     fanOut: outFeatures, rng: &rng))
        self.bias = bias
            ? Parameter("bias", biasInit.make(Shape([outFeatures]), fanIn: inFeatures, fanOut: outFeatures, rng: &rng))
            : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// Applies the map to `[…, in]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard let bias else { return Tensor.matmul(x, weight.tracked, transposeB: true) }
        return Tensor.linear(x, weight: weight.tracked, bias: bias.tracked)
    }
}
