import SeqRecCore
import SeqRecTensor

/// A building block with trainable parameters, listed explicitly (no reflection).
public protocol Layer: AnyObject {
    /// Every trainable parameter, in a stable order, with dotted names.
    var parameters: [Parameter] { get }
}

extension Layer {
    /// Zeroes every parameter's gradient.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Prefixes every parameter name with `prefix.` (used when nesting layers).
    public func prefixNames(_ prefix: String) {
        for p in parameters { p.name = prefix + "." + p.name }
    }
}

/// Per-call state of a forward pass: training vs inference and the seeded stream that
/// dropout draws from. Explicit, so the same seed replays the same masks.
public struct ForwardContext {
    /// Dropout is active only when true.
    public var training: Bool
    /// The stream of dropout seeds.
    public var rng: SplitMix64

    /// A context; `seed` determines every dropout mask of the pass.
    public init(training: Bool, seed: UInt64 = 0) {
        self.training = training
        rng = SplitMix64(seed: seed)
    }

    /// An inference context (no dropout).
    public static var inference: ForwardContext { ForwardContext(training: false) }

    /// A fresh seed for one dropout call.
    public mutating func nextSeed() -> UInt64 { rng.next() }
}
