import SeqRecCore
import SeqRecTensor

/// A single-layer gated recurrent unit over a sequence (Cho et al., 2014), gate layout and
/// equations as PyTorch's `nn.GRU`:
/// r = σ(Wᵢᵣx + bᵢᵣ + Wₕᵣh + bₕᵣ), z = σ(Wᵢ_z x + bᵢ_z + Wₕ_z h + bₕ_z),
/// n = tanh(Wᵢₙx + bᵢₙ + r ⊙ (Wₕₙh + bₕₙ)), h′ = (1 − z) ⊙ n + z ⊙ h.
/// GRU4Rec (Hidasi et al., ICLR 2016) builds on this layer.
public final class GRU: Layer {
    public let hiddenSize: Int
    /// x ↦ [r | z | n] input parts, `[3h, in]`.
    public let inputMap: Linear
    /// h ↦ [r | z | n] hidden parts, `[3h, h]`.
    public let hiddenMap: Linear

    public init(inputSize: Int, hiddenSize: Int, rng: inout SplitMix64) {
        self.hiddenSize = hiddenSize
        // PyTorch initialises every GRU weight and bias with U(±1/√hidden).
        let initU = Initializer.uniform(limit: 1 / Float(hiddenSize).squareRoot())
        inputMap = Linear(inputSize, 3 * hiddenSize, weightInit: initU, biasInit: initU, rng: &rng)
        hiddenMap = Linear(hiddenSize, 3 * hiddenSize, weightInit: initU, biasInit: initU, rng: &rng)
        inputMap.prefixNames("input")
        hiddenMap.prefixNames("hidden")
    }

    public var parameters: [Parameter] { inputMap.parameters + hiddenMap.parameters }

    /// Runs over `x` `[B, L, in]` from an initial state (zeros by default), returning every
    /// step's hidden state `[B, L, h]`.
    /// - Parameter mask: `[B, L]`, 1 = real step; at padded steps the state is carried over
    ///   unchanged, so left padding does not change the outputs at real steps.
    public func callAsFunction(_ x: Tensor, initial: Tensor? = nil, mask: Tensor? = nil) -> Tensor {
        require(x.rank == 3, "GRU: input must be [B, L, in], got \(x.shape)")
        let b = x.shape[0], l = x.shape[1], hs = hiddenSize
        let projected = inputMap(x)                                  // [B, L, 3h]: one GEMM
        var h = initial ?? Tensor.zeros(Shape([b, hs]))
        var outputs: [Tensor] = []
        outputs.reserveCapacity(l)
        for t in 0..<l {
            let xt = projected.slice(axis: 1, t..<(t + 1)).reshaped([b, 3 * hs]).split(axis: 1, parts: 3)
            let ht = hiddenMap(h).split(axis: 1, parts: 3)
            let r = (xt[0] + ht[0]).sigmoid()
            let z = (xt[1] + ht[1]).sigmoid()
            let n = (xt[2] + r * ht[2]).tanh()
            var next = n + z * (h - n)
            if let mask {
                let m = mask.slice(axis: 1, t..<(t + 1))            // [B, 1]
                next = h + m * (next - h)
            }
            h = next
            outputs.append(h.reshaped([b, 1, hs]))
        }
        return Tensor.concat(outputs, axis: 1)
    }
}
