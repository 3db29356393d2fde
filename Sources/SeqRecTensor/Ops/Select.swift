import SeqRecCore
// MARK: - Selection by a mask: where / masked fill.

extension Tensor {
    /// Elementwise choice: `a` where `condition ≠ 0`, else `b`.
    /// `condition` broadcasts to the common shape of `a` and `b` (which must match).
    public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        require(a.shape == b.shape, "where: branch shapes \(a.shape) and \(b.shape) differ")
        let c = condition.broadcasted(to: a.shape)
        var out = a.zipElements(b, c) { x, y, k in k != 0 ? x : y }
        if let tape = Tape.active(a, b) {
            tape.record(&out, a, b) { g, ctx in
                if ctx.needs(0) { ctx.add(g.zipElements(c) { $1 != 0 ? $0 : 0 }, to: 0) }
                if ctx.needs(1) { ctx.add(g.zipElements(c) { $1 != 0 ? 0 : $0 }, to: 1) }
            }
        }
        return out
    }

    /// Replaces elements where `mask ≠ 0` by `value` (e.g. −∞ before a softmax); `mask`
    /// broadcasts to this shape. No gradient flows through filled positions.
    public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
        let m = mask.broadcasted(to: shape)
        var out = zipElements(m) { x, k in k != 0 ? value : x }
        if let tape = Tape.active(self) {
            tape.record(&out, self) { g, ctx in ctx.add(g.zipElements(m) { $1 != 0 ? 0 : $0 }, to: 0) }
        }
        return out
    }
}
