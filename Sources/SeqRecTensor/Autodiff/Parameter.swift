import SeqRecCore
/// A trainable tensor with its gradient: the leaf of differentiation.
///
/// Layers list their parameters explicitly. Inside `valueAndGradient`, use `tracked` to read
/// the value; backward adds into `grad` in place (allocated once, reused every step), so
/// gradients accumulate over micro-batches until `zeroGradient()`.
public final class Parameter: @unchecked Sendable {
    /// A stable, dotted name (`blocks.0.attention.query.weight`), used in checkpoints and by
    /// optimiser exclusion lists.
    public var name: String
    /// The current value.
    public var value: Tensor
    /// The accumulated gradient, or nil before the first backward pass.
    public private(set) var grad: Tensor?
    /// When false the parameter is frozen: `tracked` returns an untracked value.
    public var requiresGrad: Bool

    var leafTape: UInt64 = 0
    var leafTensor: Tensor?

    /// Creates a parameter with an initial value.
    public init(_ name: String, _ value: Tensor, requiresGrad: Bool = true) {
        self.name = name
        self.value = value.detached
        self.requiresGrad = requiresGrad
    }

    /// The value, recorded as a leaf on the active tape (if any, and if not frozen).
    public var tracked: Tensor {
        guard requiresGrad, let tape = Tape.current else { return value }
        return tape.leaf(for: self)
    }

    /// Sets the gradient to zero (keeps the buffer).
    public func zeroGradient() {
        if grad != nil { grad!.fill(0) }
    }

    /// Replaces the value (e.g. after loading a checkpoint), keeping shape checks explicit.
    /// - Precondition: same shape as before.
    public func assign(_ newValue: Tensor) {
        require(newValue.shape == value.shape,
                     "Parameter \(name): assign shape \(newValue.shape) to \(value.shape)")
        value = newValue.detached
        leafTape = 0
        leafTensor = nil
    }

    /// Mutable access to the value's buffer (for optimisers).
    public func updateValue(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        leafTape = 0
        leafTensor = nil
        value.withUnsafeMutableBufferPointer(body)
    }

    func accumulateGradient(_ g: Tensor) {
        if grad == nil {
            grad = BufferPool.$current.withValue(nil) { g.copied() }
        } else {
            grad!.addInPlace(g)
        }
    }

    func withGradient(_ body: (inout Tensor) -> Void) {
        if grad == nil { grad = BufferPool.$current.withValue(nil) { Tensor.zeros(value.shape) } }
        body(&grad!)
    }
}

extension Parameter {
    /// Mutable access to the gradient buffer, if a gradient exists (for clipping and
    /// optimisers that rescale gradients).
    public func withGradientBuffer(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        guard grad != nil else { return }
        withGradient { g in g.withUnsafeMutableBufferPointer(body) }
    }
}
