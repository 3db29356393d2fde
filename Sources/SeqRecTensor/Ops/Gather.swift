import SeqRecCore
// MARK: - Gathers: embedding lookup (rows) and picking entries along the last axis.

extension Tensor {
    /// Embedding lookup: row `ids[…]` of this `[rows, dim]` table, giving `ids.shape + [dim]`.
    ///
    /// The pullback scatter-adds into only the gathered rows of the table's gradient (for a
    /// parameter, directly into its `grad`), never materialising a dense table-sized gradient.
    /// - Parameter paddingID: an id whose rows come out as zeros and receive no gradient
    ///   (a frozen zero padding row).
    /// - Precondition: every id in `0..<rows`.
    public func gatherRows(_ ids: IDTensor, paddingID: Int32? = nil) -> Tensor {
        require(rank == 2, "gatherRows: table must be [rows, dim], got \(shape)")
        let rows = shape[0], dim = shape[1]
        var out = Tensor.empty(ids.shape.appending(dim))
        let x = ptr, o = out.ptr
        ids.ids.withUnsafeBufferPointer { idp in
            for i in 0..<ids.count {
                require(idp[i] >= 0 && Int(idp[i]) < rows,
                             "gatherRows: id \(idp[i]) out of range 0..<\(rows)")
            }
            let idb = idp.baseAddress!
            Parallel.for(ids.count, grain: Swift.max(1, 16_384 / Swift.max(dim, 1))) { r in
                for i in r {
                    if idb[i] == paddingID {
                        (o + i * dim).update(repeating: 0, count: dim)
                    } else {
                        (o + i * dim).update(from: x + Int(idb[i]) * dim, count: dim)
                    }
                }
            }
        }
        if let tape = Tape.active(self) {
            tape.record(&out, self) { g, ctx in
                ctx.withGradient(of: 0) { d in
                    d.makeUnique()
                    scatterAddRows(into: d.ptr, dim: dim, ids: ids, rowGradients: g.ptr, skip: paddingID)
                }
            }
        }
        return out
    }

    /// Picks `x[…, ids[…, j]]` along the last axis: `[…, C]` with ids `[…, K]` gives `[…, K]`
    /// (sampled logits from full logits).
    public func gatherLast(_ ids: IDTensor) -> Tensor {
        let c = shape.last
        require(ids.shape.rank == rank && ids.shape.prefix(rank - 1) == shape.prefix(rank - 1),
                     "gatherLast: ids \(ids.shape) do not match \(shape) off the last axis")
        let k = ids.shape.last, rows = shape.rows
        var out = Tensor.empty(ids.shape)
        let x = ptr, o = out.ptr
        ids.ids.withUnsafeBufferPointer { idp in
            for i in 0..<ids.count {
                require(idp[i] >= 0 && Int(idp[i]) < c, "gatherLast: id \(idp[i]) out of range 0..<\(c)")
            }
            for r in 0..<rows { for j in 0..<k { o[r * k + j] = x[r * c + Int(idp[r * k + j])] } }
        }
        if let tape = Tape.active(self) {
            tape.record(&out, self) { g, ctx in
                ctx.withGradient(of: 0) { d in
                    d.makeUnique()
                    let dp = d.ptr, gp = g.ptr
                    ids.ids.withUnsafeBufferPointer { idp in
                        for r in 0..<rows { for j in 0..<k { dp[r * c + Int(idp[r * k + j])] += gp[r * k + j] } }
                    }
                }
            }
        }
        return out
    }
}

/// table[ids[i], :] += rows[i, :]. Parallel over disjoint column blocks, so repeated ids need
/// no locks and the result does not depend on the thread count.
func scatterAddRows(into table: UnsafeMutablePointer<Float>, dim: Int, ids: IDTensor,
                    rowGradients g: UnsafeMutablePointer<Float>, skip: Int32?) {
    let skip = skip ?? -1
    let n = ids.count
    ids.ids.withUnsafeBufferPointer { idp in
        let idb = idp.baseAddress!
        let blocks = dim >= 32 ? Swift.min(ThreadBudget.threads, dim / 16) : 1
        if blocks <= 1 || n * dim < 65_536 {
            for i in 0..<n where idb[i] != skip {
                let dst = table + Int(idb[i]) * dim, src = g + i * dim
                for j in 0..<dim { dst[j] += src[j] }
            }
            return
        }
        let per = (dim + blocks - 1) / blocks
        Parallel.for(blocks, grain: 1) { br in
            for b in br {
                let lo = b * per, hi = Swift.min(dim, lo + per)
                for i in 0..<n where idb[i] != skip {
                    let dst = table + Int(idb[i]) * dim, src = g + i * dim
                    for j in lo..<hi { dst[j] += src[j] }
                }
            }
        }
    }
}
