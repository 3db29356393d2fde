import SeqRecCore
// MARK: - Broadcasting arithmetic: + − × ÷ and negation, each with its pullback.

extension Tensor {
    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b, op: "add", AddKernel())
        if let tape = Tape.active(a, b) {
            tape.record(&out, a, b) { g, ctx in
                ctx.add(g, to: 0)
                ctx.add(g, to: 1)
            }
        }
        return out
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b, op: "sub", SubKernel())
        if let tape = Tape.active(a, b) {
            tape.record(&out, a, b) { g, ctx in
                ctx.add(g, to: 0)
                if ctx.needs(1) { ctx.add(-g, to: 1) }
            }
        }
        return out
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b, op: "mul", MulKernel())
        if let tape = Tape.active(a, b) {
            let (a0, b0) = (a.detached, b.detached)
            tape.record(&out, a, b) { g, ctx in
                if ctx.needs(0) { ctx.add(g * b0, to: 0) }
                if ctx.needs(1) { ctx.add(g * a0, to: 1) }
            }
        }
        return out
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        var out = broadcastBinary(a, b, op: "div", DivKernel())
        if let tape = Tape.active(a, b) {
            let (b0, o0) = (b.detached, out.detached)
            tape.record(&out, a, b) { g, ctx in
                if ctx.needs(0) { ctx.add(g / b0, to: 0) }
                if ctx.needs(1) { ctx.add(broadcastBinary(g * o0, b0, op: "div") { -$0 / $1 }, to: 1) }
            }
        }
        return out
    }

    /// Elementwise negation.
    public static prefix func - (a: Tensor) -> Tensor {
        var out = a.mapElements(AffineKernel(scale: -1, shift: 0))
        if let tape = Tape.active(a) {
            tape.record(&out, a) { g, ctx in ctx.add(-g, to: 0) }
        }
        return out
    }

    // MARK: Scalar forms

    /// Adds a constant.
    public static func + (a: Tensor, s: Float) -> Tensor {
        var out = a.mapElements(AffineKernel(scale: 1, shift: s))
        if let tape = Tape.active(a) { tape.record(&out, a) { g, ctx in ctx.add(g, to: 0) } }
        return out
    }

    /// Adds a constant.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }

    /// Subtracts a constant.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }

    /// A constant minus a tensor.
    public static func - (s: Float, a: Tensor) -> Tensor { (-a) + s }

    /// Multiplies by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor {
        var out = a.mapElements(AffineKernel(scale: s, shift: 0))
        if let tape = Tape.active(a) {
            tape.record(&out, a) { g, ctx in ctx.add(g * s, to: 0) }
        }
        return out
    }

    /// Multiplies by a constant.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }

    /// Divides by a constant.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }

    // MARK: In-place helpers (never recorded; for optimisers and gradient accumulation)

    /// self += other, same shape, in place.
    public mutating func addInPlace(_ other: Tensor) {
        require(shape == other.shape, "addInPlace: shapes \(shape) and \(other.shape) differ")
        makeUnique()
        let o = ptr, x = other.ptr
        Parallel.for(count) { r in for i in r { o[i] += x[i] } }
    }

    /// Sets every element to `value`, in place.
    public mutating func fill(_ value: Float) {
        makeUnique()
        let o = ptr
        Parallel.for(count) { r in for i in r { o[i] = value } }
    }

    /// A copy with storage of its own, untracked.
    public func copied() -> Tensor { Tensor(shape: shape, storage: storage.copy()) }
}
