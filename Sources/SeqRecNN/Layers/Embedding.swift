import SeqRecCore
import SeqRecTensor

/// A lookup table `[count, dim]`: ids `[…]` → vectors `[…, dim]`.
///
/// With `paddingID`, that row is zero, stays zero (it receives no gradient) and looks up as
/// zeros — PyTorch's `padding_idx`.
public final class Embedding: Layer {
    /// `[count, dim]`.
    public let table: Parameter
    /// The frozen zero row, if any.
    public let paddingID: Int32?

    /// A table initialised with `initializer` (PyTorch default: N(0, 1)).
    public init(count: Int, dim: Int, paddingID: Int? = nil, initializer: Initializer = .normal(std: 1),
                rng: inout SplitMix64) {
        require(count > 0 && dim > 0, "Embedding: count and dim must be positive, got \(count)×\(dim)")
        var t = initializer.make(Shape([count, dim]), fanIn: count, fanOut: dim, rng: &rng)
        if let paddingID {
            require(paddingID >= 0 && paddingID < count, "Embedding: paddingID \(paddingID) outside 0..<\(count)")
            t.withUnsafeMutableBufferPointer { b in
                for j in 0..<dim { b[paddingID * dim + j] = 0 }
            }
        }
        table = Parameter("table", t)
        self.paddingID = paddingID.map { Int32($0) }
    }

    public var parameters: [Parameter] { [table] }

    /// Looks up `ids`.
    public func callAsFunction(_ ids: IDTensor) -> Tensor {
        table.tracked.gatherRows(ids, paddingID: paddingID)
    }
}
