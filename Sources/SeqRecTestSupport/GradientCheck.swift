import SeqRecCore
import SeqRecTensor

/// Finite-difference gradient checking (central differences, sums in Double).
public enum GradientCheck {
    /// The worst disagreement found.
    public struct Report: CustomStringConvertible {
        /// max over elements of |analytic − numeric| / (atol + rtol·max(|analytic|, |numeric|)); ≤ 1 passes.
        public var worstRatio: Double
        public var worstInput: Int
        public var worstIndex: Int
        public var analytic: Double
        public var numeric: Double
        public var checked: Int
        public var passed: Bool { worstRatio <= 1 && worstRatio.isFinite }
        public var description: String {
            "input \(worstInput)[\(worstIndex)]: analytic \(analytic) vs numeric \(numeric) "
                + "(ratio \(worstRatio), \(checked) elements checked)"
        }

        /// Counts one comparison and keeps it if it is the worst so far.
        mutating func record(analytic: Double, numeric: Double, input: Int, index: Int, atol: Double, rtol: Double) {
            let ratio = Swift.abs(analytic - numeric) / (atol + rtol * Swift.max(Swift.abs(analytic), Swift.abs(numeric)))
            checked += 1
            if !(ratio <= worstRatio) {
                worstRatio = ratio.isNaN ? .infinity : ratio
                worstInput = input
                worstIndex = index
                self.analytic = analytic
                self.numeric = numeric
            }
        }
    }

    /// Checks the gradient of `Σ f(inputs) ⊙ W` (W a fixed random projection, so every output
    /// element matters) with respect to every element of every input.
    /// - Parameters:
    ///   - epsilon: the finite-difference step.
    ///   - atol, rtol: absolute and relative tolerance.
    ///   - maxElements: check at most this many (seeded random) elements per input.
    public static func check(_ inputs: [Tensor], epsilon: Float = 1e-3, atol: Double = 2e-3,
                             rtol: Double = 2e-2, maxElements: Int = 200, seed: UInt64 = 7,
                             _ f: ([Tensor]) -> Tensor) -> Report {
        var rng = SplitMix64(seed: seed)
        let probe = f(inputs)
        let w = Tensor.randomUniform(probe.shape, low: 0.5, high: 1.5, rng: &rng)
        let params = inputs.enumerated().map { Parameter("input\($0.offset)", $0.element) }
        valueAndGradient { (f(params.map(\.tracked)) * w).sum() }

        func loss(_ xs: [Tensor]) -> Double {
            let out = f(xs)
            require(out.shape == w.shape, "GradientCheck: output shape changed")
            var s: Double = 0
            out.withUnsafeBufferPointer { o in
                w.withUnsafeBufferPointer { wb in for i in o.indices { s += Double(o[i]) * Double(wb[i]) } }
            }
            return s
        }

        var report = Report(worstRatio: 0, worstInput: -1, worstIndex: -1, analytic: 0, numeric: 0, checked: 0)
        for (k, x) in inputs.enumerated() {
            let grad = params[k].grad?.scalars ?? [Float](repeating: 0, count: x.count)
            var indices = Array(0..<x.count)
            if indices.count > maxElements {
                for i in 0..<maxElements { indices.swapAt(i, i + rng.nextInt(below: indices.count - i)) }
                indices = Array(indices.prefix(maxElements))
            }
            for i in indices {
                var plus = inputs, minus = inputs
                var xp = x.detached.copied(), xm = x.detached.copied()
                xp.withUnsafeMutableBufferPointer { $0[i] += epsilon }
                xm.withUnsafeMutableBufferPointer { $0[i] -= epsilon }
                plus[k] = xp
                minus[k] = xm
                let numeric = (loss(plus) - loss(minus)) / (2 * Double(epsilon))
                report.record(analytic: Double(grad[i]), numeric: numeric, input: k, index: i, atol: atol, rtol: rtol)
            }
        }
        return report
    }

    /// Checks the gradients of a layer's parameters for the scalar `loss()`.
    public static func checkParameters(_ parameters: [Parameter], epsilon: Float = 1e-3, atol: Double = 2e-3,
                                       rtol: Double = 2e-2, maxElements: Int = 60, seed: UInt64 = 7,
                                       _ loss: () -> Tensor) -> Report {
        var rng = SplitMix64(seed: seed)
        for p in parameters { p.zeroGradient() }
        valueAndGradient { loss() }
        func value() -> Double { Double(loss().scalar) }
        var report = Report(worstRatio: 0, worstInput: -1, worstIndex: -1, analytic: 0, numeric: 0, checked: 0)
        for (k, p) in parameters.enumerated() {
            let grad = p.grad?.scalars ?? [Float](repeating: 0, count: p.value.count)
            let original = p.value
            var indices = Array(0..<original.count)
            if indices.count > maxElements {
                for i in 0..<maxElements { indices.swapAt(i, i + rng.nextInt(below: indices.count - i)) }
                indices = Array(indices.prefix(maxElements))
            }
            for i in indices {
                var xp = original.copied(), xm = original.copied()
                xp.withUnsafeMutableBufferPointer { $0[i] += epsilon }
                xm.withUnsafeMutableBufferPointer { $0[i] -= epsilon }
                p.assign(xp)
                let lp = value()
                p.assign(xm)
                let lm = value()
                p.assign(original)
                let numeric = (lp - lm) / (2 * Double(epsilon))
                report.record(analytic: Double(grad[i]), numeric: numeric, input: k, index: i, atol: atol, rtol: rtol)
            }
        }
        return report
    }
}

/// Helpers for comparing tensors in tests.
public enum Compare {
    /// max |a − b| over elements (∞ if shapes differ).
    public static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        var m: Float = 0
        let x = a.scalars, y = b.scalars
        for i in x.indices { m = Swift.max(m, Swift.abs(x[i] - y[i])) }
        return m
    }
}
