import SeqRecCore
// MARK: - Reshaping and rearranging: reshape, transpose/permute, slice, concat, split.

extension Tensor {
    /// The same values viewed with a new shape of equal element count (no copy).
    /// One dimension may be -1 and is then inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var dims = newShape
        if let i = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            require(known > 0 && count % known == 0, "reshape: cannot view \(shape) as \(newShape)")
            dims[i] = count / known
        }
        let s = Shape(dims)
        require(s.count == count, "reshape: cannot view \(shape) as \(s)")
        var out = reshapedStorage(s)
        if let tape = Tape.active(self) {
            let inShape = shape
            tape.record(&out, self) { g, ctx in ctx.add(g.reshapedStorage(inShape), to: 0) }
        }
        return out
    }

    /// Swaps two axes (copies into the new layout).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var perm = Array(0..<rank)
        perm.swapAt(shape.axis(a, op: "transpose"), shape.axis(b, op: "transpose"))
        return permuted(perm)
    }

    /// Reorders axes: output axis i is input axis `permutation[i]` (copies).
    public func permuted(_ permutation: [Int]) -> Tensor {
        require(permutation.sorted() == Array(0..<rank),
                     "permute: \(permutation) is not a permutation of the axes of \(shape)")
        var out = permuteKernel(permutation)
        if let tape = Tape.active(self) {
            var inverse = permutation
            for (i, p) in permutation.enumerated() { inverse[p] = i }
            tape.record(&out, self) { g, ctx in ctx.add(g.permuteKernel(inverse), to: 0) }
        }
        return out
    }

    func permuteKernel(_ perm: [Int]) -> Tensor {
        if perm == Array(0..<rank) { return detached }
        let outShape = Shape(perm.map { shape[$0] })
        let out = Tensor.empty(outShape)
        let inStrides = shape.strides
        // Stride in the input of each output axis.
        var st = InlineArray<6, Int>(repeating: 0)
        for (i, p) in perm.enumerated() { st[i] = inStrides[p] }
        let r = rank
        let n = outShape.last
        let innerStride = st[r - 1]
        let rows = outShape.rows
        let x = ptr, o = out.ptr
        Parallel.for(rows, grain: Swift.max(1, 16_384 / Swift.max(n, 1))) { range in
            for row in range {
                var rem = row, off = 0
                var d = r - 2
                while d >= 0 {
                    let dim = outShape.dims[d]
                    off += (rem % dim) * st[d]
                    rem /= dim
                    d -= 1
                }
                let dst = o + row * n, src = x + off
                if innerStride == 1 {
                    dst.update(from: src, count: n)
                } else {
                    for j in 0..<n { dst[j] = src[j * innerStride] }
                }
            }
        }
        return out
    }

    /// Elements `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = shape.axis(axis, op: "slice")
        require(range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "slice: range \(range) out of bounds for axis \(axis) of \(shape)")
        let outer = shape.product(0..<ax), n = shape[ax], inner = shape.product((ax + 1)..<rank)
        var out = Tensor.empty(shape.replacing(axis: ax, with: range.count))
        let m = range.count
        let x = ptr, o = out.ptr
        for p in 0..<outer {
            (o + p * m * inner).update(from: x + (p * n + range.lowerBound) * inner, count: m * inner)
        }
        if let tape = Tape.active(self) {
            let inShape = shape
            tape.record(&out, self) { g, ctx in
                ctx.withGradient(of: 0) { d in
                    require(d.shape == inShape, "slice: gradient shape \(d.shape) differs from input \(inShape)")
                    d.makeUnique()
                    let dp = d.ptr, gp = g.ptr
                    for p in 0..<outer {
                        let dst = dp + (p * n + range.lowerBound) * inner, src = gp + p * m * inner
                        for i in 0..<(m * inner) { dst[i] += src[i] }
                    }
                }
            }
        }
        return out
    }

    /// Splits along `axis` into pieces of the given sizes (each a tracked slice).
    public func split(axis: Int, sizes: [Int]) -> [Tensor] {
        let ax = shape.axis(axis, op: "split")
        require(sizes.reduce(0, +) == shape[ax],
                     "split: sizes \(sizes) do not add up to \(shape[ax]) on axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { s in
            defer { start += s }
            return slice(axis: ax, start..<(start + s))
        }
    }

    /// Splits along `axis` into `parts` equal pieces.
    public func split(axis: Int, parts: Int) -> [Tensor] {
        let n = shape[shape.axis(axis, op: "split")]
        require(parts > 0 && n % parts == 0, "split: \(n) is not divisible into \(parts) parts")
        return split(axis: axis, sizes: Array(repeating: n / parts, count: parts))
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        require(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0].shape
        let ax = first.axis(axis, op: "concat")
        var total = 0
        for t in tensors {
            require(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == ax || t.shape[$0] == first[$0] },
                         "concat: shape \(t.shape) does not match \(first) off axis \(axis)")
            total += t.shape[ax]
        }
        let outShape = first.replacing(axis: ax, with: total)
        let outer = first.product(0..<ax), inner = first.product((ax + 1)..<first.rank)
        var out = Tensor.empty(outShape)
        var offset = 0
        for t in tensors {
            let m = t.shape[ax]
            for p in 0..<outer {
                (out.ptr + (p * total + offset) * inner).update(from: t.ptr + p * m * inner, count: m * inner)
            }
            offset += m
        }
        if let tape = Tape.active(tensors) {
            let sizes = tensors.map { $0.shape[ax] }
            tape.record(&out, inputs: tensors) { g, ctx in
                var start = 0
                for (i, m) in sizes.enumerated() {
                    if ctx.needs(i) { ctx.add(g.slice(axis: ax, start..<(start + m)), to: i) }
                    start += m
                }
            }
        }
        return out
    }
}
