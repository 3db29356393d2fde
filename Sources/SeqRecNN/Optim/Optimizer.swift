import SeqRecCore
import SeqRecTensor

/// Updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// One update of every parameter that has a gradient. Does not zero the gradients.
    func step(_ parameters: [Parameter])
    /// The learning rate (schedulers may change it between steps).
    var learningRate: Float { get set }
}

/// Global gradient norm and clipping over a set of parameters.
public enum GradientClipping {
    /// ‖g‖₂ over all gradients together (accumulated in Double) — the figure to log each step.
    public static func globalNorm(_ parameters: [Parameter]) -> Float {
        var total: Double = 0
        for p in parameters {
            guard let g = p.grad else { continue }
            g.withUnsafeBufferPointer { b in
                var s: Float = 0
                var acc: Double = 0
                for (i, v) in b.enumerated() {
                    s += v * v
                    if i & 1023 == 1023 { acc += Double(s); s = 0 }
                }
                total += acc + Double(s)
            }
        }
        return Float(total.squareRoot())
    }

    /// Scales all gradients by min(1, maxNorm / ‖g‖₂) (as `torch.nn.utils.clip_grad_norm_` and
    /// TF's `clip_by_global_norm`). Returns the norm before clipping.
    @discardableResult
    public static func clip(_ parameters: [Parameter], maxNorm: Float) -> Float {
        require(maxNorm > 0, "GradientClipping.clip: maxNorm must be positive, got \(maxNorm)")
        let norm = globalNorm(parameters)
        guard norm > maxNorm, norm.isFinite else { return norm }
        let scale = maxNorm / (norm + 1e-6)
        for p in parameters { p.scaleGradient(by: scale) }
        return norm
    }
}

extension Parameter {
    /// g ← s·g in place.
    public func scaleGradient(by s: Float) {
        guard grad != nil else { return }
        withGradientBuffer { b in for i in b.indices { b[i] *= s } }
    }
}
