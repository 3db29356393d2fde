import SeqRecCore
// MARK: - Internal elementwise kernels shared by the op families (no differentiation here).

// Hot kernels are passed as generic structs rather than closures: a closure captured by the
// parallel loop's body is called indirectly per element (measured: 15 % of a training step),
// while a generic kernel type is specialised and inlined into a vectorised loop.

/// A scalar function applied elementwise.
@usableFromInline protocol UnaryKernel { func callAsFunction(_ x: Float) -> Float }
/// A scalar function of two arguments applied elementwise.
@usableFromInline protocol BinaryKernel { func callAsFunction(_ x: Float, _ y: Float) -> Float }

@usableFromInline struct AddKernel: BinaryKernel {
    @usableFromInline init() {}
    @inlinable func callAsFunction(_ x: Float, _ y: Float) -> Float { x + y }
}
@usableFromInline struct SubKernel: BinaryKernel {
    @usableFromInline init() {}
    @inlinable func callAsFunction(_ x: Float, _ y: Float) -> Float { x - y }
}
@usableFromInline struct MulKernel: BinaryKernel {
    @usableFromInline init() {}
    @inlinable func callAsFunction(_ x: Float, _ y: Float) -> Float { x * y }
}
@usableFromInline struct DivKernel: BinaryKernel {
    @usableFromInline init() {}
    @inlinable func callAsFunction(_ x: Float, _ y: Float) -> Float { x / y }
}
/// g where x > 0, else 0 (the ReLU pullback).
@usableFromInline struct ReluGradKernel: BinaryKernel {
    @usableFromInline init() {}
    @inlinable func callAsFunction(_ g: Float, _ x: Float) -> Float { x > 0 ? g : 0 }
}
@usableFromInline struct AffineKernel: UnaryKernel {
    @usableFromInline let scale: Float, shift: Float
    @usableFromInline init(scale: Float, shift: Float) { self.scale = scale; self.shift = shift }
    @inlinable func callAsFunction(_ x: Float) -> Float { x * scale + shift }
}
@usableFromInline struct ReluKernel: UnaryKernel {
    @usableFromInline init() {}
    @inlinable func callAsFunction(_ x: Float) -> Float { x > 0 ? x : 0 }
}
/// Adapts a closure for cold paths (indirect call per element).
@usableFromInline struct ClosureUnary: UnaryKernel {
    @usableFromInline let f: (Float) -> Float
    @usableFromInline init(_ f: @escaping (Float) -> Float) { self.f = f }
    @inlinable func callAsFunction(_ x: Float) -> Float { f(x) }
}
@usableFromInline struct ClosureBinary: BinaryKernel {
    @usableFromInline let f: (Float, Float) -> Float
    @usableFromInline init(_ f: @escaping (Float, Float) -> Float) { self.f = f }
    @inlinable func callAsFunction(_ x: Float, _ y: Float) -> Float { f(x, y) }
}

extension Tensor {
    @usableFromInline var ptr: UnsafeMutablePointer<Float> { storage.pointer }

    /// out[i] = k(x[i]), parallel over elements.
    @inlinable
    func mapElements<K: UnaryKernel>(_ k: K) -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, o = out.ptr
        Parallel.for(count) { r in for i in r { o[i] = k(x[i]) } }
        return out
    }

    /// out[i] = f(x[i]) (closure form, for cold paths).
    @inlinable
    func mapElements(_ f: @escaping (Float) -> Float) -> Tensor { mapElements(ClosureUnary(f)) }

    /// out[i] = k(x[i], y[i]) for two same-shaped tensors.
    @inlinable
    func zipElements<K: BinaryKernel>(_ other: Tensor, _ k: K) -> Tensor {
        let out = Tensor.empty(shape)
        let x = ptr, y = other.ptr, o = out.ptr
        Parallel.for(count) { r in for i in r { o[i] = k(x[i], y[i]) } }
        return out
    }

    /// out[i] = f(x[i], y[i]) (closure form, for cold paths).
    @inlinable
    func zipElements(_ other: Tensor, _ f: @escaping (Float, Float) -> Float) -> Tensor {
        zipElements(other, ClosureBinary(f))
    }

    /// out[i] = f(x[i], y[i], z[i]) for three same-shaped tensors.
    @inlinable
    func zipElements(_ b: Tensor, _ c: Tensor, _ f: @escaping (Float, Float, Float) -> Float) -> Tensor {
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

/// out = f(a, b) with NumPy broadcasting (closure form, for cold paths).
@inlinable
func broadcastBinary(_ a: Tensor, _ b: Tensor, op: String,
                     _ f: @escaping (Float, Float) -> Float) -> Tensor {
    broadcastBinary(a, b, op: op, ClosureBinary(f))
}

/// out = f(a, b) with NumPy broadcasting; fast paths for equal shapes and scalars.
@inlinable
func broadcastBinary<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, op: String, _ f: K) -> Tensor {
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
