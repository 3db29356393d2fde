import SeqRecCore
// MARK: - Internal elementwise kernels shared by the op families (no differentiation here).

extension Tensor {
    @usableFromInline var ptr: UnsafeMutablePointer<Float> { storage.pointer }

    /// out[i] = f(x[i]), parallel over elements.
    @inlinable @inline(__always)
    func mapElements(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, o = out.ptr
        Parallel.for(count) { r in for i in r { o[i] = f(x[i]) } }
        return out
    }

    /// out[i] = f(x[i], y[i]) for two same-shaped tensors.
    @inlinable @inline(__always)
    func zipElements(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, y = other.ptr, o = out.ptr
        Parallel.for(count) { r in for i in r { o[i] = f(x[i], y[i]) } }
        return out
    }

    /// out[i] = f(x[i], y[i], z[i]) for three same-shaped tensors.
    @inlinable @inline(__always)
    func zipElements(_ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, y = b.ptr, z = c.ptr, o = out.ptr
        Parallel.for(count) { r in for i in r { o[i] = f(x[i], y[i], z[i]) } }
        return out
    }
}

/// Per-operand strides of a broadcast, in the output's rank (0 along broadcast dimensions).
@usableFromInline
struct BroadcastPlan {
    @usableFromInline var out: Shape
    @usableFromInline var strideA: InlineArray<6, Int>
    @usableFromInline var strideB: InlineArray<6, Int>

    @usableFromInline
    init(out: Shape, a: Shape, b: Shape) {
        self.out = out
        strideA = BroadcastPlan.strides(of: a, in: out)
        strideB = BroadcastPlan.strides(of: b, in: out)
    }

    @usableFromInline
    static func strides(of s: Shape, in out: Shape) -> InlineArray<6, Int> {
        var st = InlineArray<6, Int>(repeating: 0)
        let own = s.strides
        let shift = out.rank - s.rank
        for i in 0..<out.rank where i >= shift {
            st[i] = s[i - shift] == 1 && out[i] != 1 ? 0 : own[i - shift]
        }
        return st
    }

    /// Calls `row(outRow, offsetA, offsetB, innerStrideA, innerStrideB, n)` for every row of the
    /// output (a row = the last dimension), in parallel.
    @inlinable @inline(__always)
    func forEachRow(_ row: (Int, Int, Int, Int, Int, Int) -> Void) {
        let rank = out.rank
        let n = out.last
        let rows = rank == 0 ? 1 : out.count / Swift.max(n, 1)
        if n == 0 { return }
        let isA = rank == 0 ? 0 : strideA[rank - 1]
        let isB = rank == 0 ? 0 : strideB[rank - 1]
        Parallel.for(rows, grain: Swift.max(1, 32_768 / n)) { range in
            for r in range {
                var rem = r
                var oa = 0, ob = 0
                var d = rank - 2
                while d >= 0 {
                    let dim = out.dims[d]
                    let idx = rem % dim
                    rem /= dim
                    oa += idx * strideA[d]
                    ob += idx * strideB[d]
                    d -= 1
                }
                row(r * n, oa, ob, isA, isB, n)
            }
        }
    }
}

/// out = f(a, b) with NumPy broadcasting; fast paths for equal shapes and scalars.
@inlinable @inline(__always)
func broadcastBinary(_ a: Tensor, _ b: Tensor, op: String,
                     _ f: (Float, Float) -> Float) -> Tensor {
    if a.shape == b.shape { return a.zipElements(b, f) }
    guard let s = Shape.broadcast(a.shape, b.shape) else {
        requireFailed("\(op): shapes \(a.shape) and \(b.shape) cannot be broadcast")
    }
    let out = Tensor.empty(s)
    let x = a.ptr, y = b.ptr, o = out.ptr
    if b.count == 1 && s == a.shape {
        let c = y[0]
        Parallel.for(out.count) { r in for i in r { o[i] = f(x[i], c) } }
        return out
    }
    if a.count == 1 && s == b.shape {
        let c = x[0]
        Parallel.for(out.count) { r in for i in r { o[i] = f(c, y[i]) } }
        return out
    }
    let plan = BroadcastPlan(out: s, a: a.shape, b: b.shape)
    plan.forEachRow { ro, oa, ob, sa, sb, n in
        let xo = x + oa, yo = y + ob, oo = o + ro
        switch (sa, sb) {
        case (1, 1): for j in 0..<n { oo[j] = f(xo[j], yo[j]) }
        case (1, 0): let c = yo[0]; for j in 0..<n { oo[j] = f(xo[j], c) }
        case (0, 1): let c = xo[0]; for j in 0..<n { oo[j] = f(c, yo[j]) }
        default: let c = f(xo[0], yo[0]); for j in 0..<n { oo[j] = c }
        }
    }
    return out
}
