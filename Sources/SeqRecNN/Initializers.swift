import SeqRecCore
import SeqRecTensor

/// Weight initialisation schemes, named as in the frameworks the thesis's code used.
public enum Initializer: Sendable, Equatable {
    /// U(±1/√fan_in): PyTorch's default for `nn.Linear` weights and biases
    /// (Kaiming-uniform with a = √5).
    case pytorchLinear
    /// Glorot/Xavier uniform U(±√(6/(fan_in + fan_out))): Keras `Dense` default.
    case glorotUniform
    /// N(0, std²): PyTorch `nn.Embedding` default (std 1); GPT-2 / BERT use 0.02.
    case normal(std: Float)
    /// N(0, std²) re-drawn outside ±2·std: BERT's truncated normal.
    case truncatedNormal(std: Float)
    /// U(±limit): Keras `Embedding` default (0.05).
    case uniform(limit: Float)
    /// All zeros.
    case zeros
    /// All ones.
    case ones

    /// A tensor of `shape` with `fanIn`/`fanOut` for the fan-based schemes.
    public func make(_ shape: Shape, fanIn: Int, fanOut: Int, rng: inout SplitMix64) -> Tensor {
        switch self {
        case .pytorchLinear:
            let b = 1 / Float(Swift.max(fanIn, 1)).squareRoot()
            return .randomUniform(shape, low: -b, high: b, rng: &rng)
        case .glorotUniform:
            let b = (6 / Float(Swift.max(fanIn + fanOut, 1))).squareRoot()
            return .randomUniform(shape, low: -b, high: b, rng: &rng)
        case .normal(let std):
            return .randomNormal(shape, std: std, rng: &rng)
        case .truncatedNormal(let std):
            var values = [Float](repeating: 0, count: shape.count)
            for i in values.indices {
                var v = rng.nextNormal()
                while Swift.abs(v) > 2 { v = rng.nextNormal() }
                values[i] = v * std
            }
            return Tensor(shape: shape, scalars: values)
        case .uniform(let limit):
            return .randomUniform(shape, low: -limit, high: limit, rng: &rng)
        case .zeros:
            return .zeros(shape)
        case .ones:
            return .ones(shape)
        }
    }
}
