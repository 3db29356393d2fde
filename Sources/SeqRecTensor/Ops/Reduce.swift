import SeqRecCore
// MARK: - Reductions (sum, mean, max) and the central un-broadcasting used by the tape.

extension Tensor {
    /// Sum over `axes` (negative axes count from the end).
    /// - Parameter keepDims: keep reduced axes as size 1.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let resolved = Set(axes.map { shape.axis($0, op: "sum") })
        var kept = shape
        for a in resolved { kept[a] = 1 }
        var out = reduced(toShape: kept)
        if !keepDims {
            out = out.reshapedStorage(Shape((0..<shape.rank).filter { !resolved.contains($0) }.map { shape[$0] }))
        }
        if let tape = Tape.active(self) {
            let inShape = shape
            tape.record(&out, self) { g, ctx in
                ctx.add(g.reshapedStorage(kept).broadcasted(to: inShape), to: 0)
            }
        }
        return out
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Sum of all elements, as a scalar tensor (accumulated in Double).
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = axes.map { shape[shape.axis($0, op: "mean")] }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Mean of all elements.
    public func mean() -> Tensor { mean(axes: Array(0..<rank)) }

    /// Maximum over one axis. The gradient goes to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let ax = shape.axis(axis, op: "max")
        let outer = shape.product(0..<ax), n = shape[ax], inner = shape.product((ax + 1)..<rank)
        require(n > 0, "max: empty axis \(axis) in \(shape)")
        let kept = shape.replacing(axis: ax, with: 1)
        var out = Tensor.empty(keepDims ? kept : shape.removing(axis: ax))
        var arg = [Int32](repeating: 0, count: outer * inner)
        let x = ptr, o = out.ptr
        arg.withUnsafeMutableBufferPointer { ab in
            let a = ab.baseAddress!
            for p in 0..<outer {
                for i in 0..<inner {
                    var best = x[p * n * inner + i], bi: Int32 = 0
                    for k in 1..<n where x[(p * n + k) * inner + i] > best {
                        best = x[(p * n + k) * inner + i]
                        bi = Int32(k)
                    }
                    o[p * inner + i] = best
                    a[p * inner + i] = bi
                }
            }
        }
        if let tape = Tape.active(self) {
            let inShape = shape
            tape.record(&out, self) { g, ctx in
                let d = Tensor.zeros(inShape)
                for p in 0..<outer {
                    for i in 0..<inner {
                        d.ptr[(p * n + Int(arg[p * inner + i])) * inner + i] = g.ptr[p * inner + i]
                    }
                }
                ctx.add(d, to: 0)
            }
        }
        return out
    }

    // MARK: Untracked building blocks

    /// Sums this tensor down to `target` (a shape it was broadcast from). Untracked: this is
    /// the one place where broadcasting is undone for every op's gradient.
    public func reduced(toShape target: Shape) -> Tensor {
        if target == shape { return detached }
        require(target.rank <= rank && Shape.broadcast(target, shape) == shape,
                     "reduce: cannot sum \(shape) down to \(target)")
        // Work in this tensor's rank; mark axes to sum.
        let shift = rank - target.rank
        var reduce = [Bool](repeating: false, count: rank)
        for i in 0..<rank {
            let t = i < shift ? 1 : target[i - shift]
            reduce[i] = t == 1 && shape[i] != 1
        }
        var cur = self.detached
        var curShape = shape
        var i = rank - 1
        while i >= 0 {
            guard reduce[i] else { i -= 1; continue }
            var start = i
            while start > 0 && reduce[start - 1] { start -= 1 }
            let outer = curShape.product(0..<start)
            let n = curShape.product(start..<(i + 1))
            let inner = curShape.product((i + 1)..<rank)
            cur = Tensor.sumMiddle(cur, outer: outer, n: n, inner: inner)
            for k in start...i { curShape[k] = 1 }
            i = start - 1
        }
        return cur.reshapedStorage(target)
    }

    /// out[o, i] = Σₖ x[o, k, i] for x viewed as [outer, n, inner].
    static func sumMiddle(_ x: Tensor, outer: Int, n: Int, inner: Int) -> Tensor {
        let out = Tensor.empty(Shape([outer * inner]))
        let xp = x.ptr, o = out.ptr
        if inner == 1 {
            Parallel.for(outer, grain: Swift.max(1, 32_768 / Swift.max(n, 1))) { r in
                for p in r {
                    var acc: Double = 0
                    let base = xp + p * n
                    var k = 0
                    // Blocks of 8 in Float, then widened: fast and accurate enough for losses.
                    while k + 8 <= n {
                        var s: Float = 0
                        for j in 0..<8 { s += base[k + j] }
                        acc += Double(s)
                        k += 8
                    }
                    while k < n { acc += Double(base[k]); k += 1 }
                    o[p] = Float(acc)
                }
            }
            return out
        }
        if outer == 1 && inner < 4096 && n >= 2 * Swift.max(1, 16_384 / inner) {
            // One long sum of rows (a bias gradient over B·L positions): split the rows over
            // the threads into per-chunk partial sums, combined in chunk order (deterministic
            // for a fixed budget). The serial loop below cost ~1 ms of a small SASRec step.
            let grain = Swift.max(1, 16_384 / inner)
            let chunks = Parallel.chunkCount(n, grain: grain)
            var partial = [Float](repeating: 0, count: chunks * inner)
            partial.withUnsafeMutableBufferPointer { pb in
                let pp = pb.baseAddress!
                Parallel.forChunks(n, grain: grain) { c, r in
                    let acc = pp + c * inner
                    for k in r {
                        let row = xp + k * inner
                        for i in 0..<inner { acc[i] += row[i] }
                    }
                }
                for i in 0..<inner { o[i] = pp[i] }
                for c in 1..<chunks { for i in 0..<inner { o[i] += pp[c * inner + i] } }
            }
            return out
        }
        if outer >= 2 * ThreadBudget.threads || inner < 4096 {
            Parallel.for(outer, grain: Swift.max(1, 32_768 / Swift.max(n * inner, 1))) { r in
                for p in r {
                    let dst = o + p * inner
                    let src = xp + p * n * inner
                    for i in 0..<inner { dst[i] = src[i] }
                    for k in 1..<Swift.max(n, 1) {
                        let row = src + k * inner
                        for i in 0..<inner { dst[i] += row[i] }
                    }
                    if n == 0 { for i in 0..<inner { dst[i] = 0 } }
                }
            }
        } else {
            for p in 0..<outer {
                let dst = o + p * inner
                let src = xp + p * n * inner
                Parallel.for(inner, grain: 4096) { r in
                    for i in r { dst[i] = n > 0 ? src[i] : 0 }
                    for k in 1..<Swift.max(n, 1) {
                        let row = src + k * inner
                        for i in r { dst[i] += row[i] }
                    }
                }
            }
        }
        return out
    }

    /// Copies this tensor broadcast to `target`. Untracked.
    func broadcasted(to target: Shape) -> Tensor {
        if target == shape { return detached }
        guard Shape.broadcast(shape, target) == target else {
            requireFailed("broadcast: cannot broadcast \(shape) to \(target)")
        }
        let out = Tensor.empty(target)
        let x = ptr, o = out.ptr
        let plan = BroadcastPlan(out: target, a: shape, b: shape)
        plan.forEachRow { ro, oa, _, sa, _, n in
            let src = x + oa, dst = o + ro
            if sa == 1 {
                for j in 0..<n { dst[j] = src[j] }
            } else {
                let c = src[0]
                for j in 0..<n { dst[j] = c }
            }
        }
        return out
    }

    /// Same storage, new shape of equal element count. Untracked.
    @usableFromInline
    func reshapedStorage(_ s: Shape) -> Tensor {
        require(s.count == count, "reshape: cannot view \(shape) as \(s)")
        return Tensor(shape: s, storage: storage)
    }
}
