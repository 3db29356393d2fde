import SeqRecCore
import SeqRecTensor

/// Inverted dropout, active only in training contexts; masks come from the context's seed.
public final class Dropout: Layer {
    /// The drop probability in [0, 1).
    public let rate: Float

    /// - Throws: `HyperparameterError` unless `0 <= rate < 1`.
    public init(rate: Float) throws {
        try HyperparameterError.check("dropout", Double(rate), in: 0.0..<1.0)
        self.rate = rate
    }

    public var parameters: [Parameter] { [] }

    public func callAsFunction(_ x: Tensor, _ context: inout ForwardContext) -> Tensor {
        guard context.training, rate > 0 else { return x }
        return x.dropout(rate: rate, seed: context.nextSeed())
    }
}
