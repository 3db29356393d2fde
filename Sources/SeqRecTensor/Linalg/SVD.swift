import SeqRecCore

/// A (truncated) singular value decomposition A ≈ U·diag(s)·Vᵀ.
public struct SVD: Sendable {
    /// Left singular vectors as columns, `[m, k]`.
    public var u: Tensor
    /// Singular values, descending, `k`.
    public var s: [Float]
    /// Right singular vectors as rows, `[k, n]`.
    public var vt: Tensor

    /// U·diag(s)·Vᵀ as a dense `[m, n]` tensor (for tests and small matrices).
    public func reconstruct() -> Tensor {
        let k = s.count
        let us = Tensor.empty(u.shape)
        for r in 0..<u.shape[0] { for j in 0..<k { us.ptr[r * k + j] = u.ptr[r * k + j] * s[j] } }
        return Tensor.matmulKernel(us, vt, false, false)
    }

    /// The top-`rank` SVD of a dense `[m, n]` matrix via LAPACK `sgesdd`.
    /// - Throws: `LinalgError` when LAPACK fails.
    public static func truncated(_ a: Tensor, rank: Int) throws -> SVD {
        require(a.rank == 2, "SVD.truncated: needs a matrix, got \(a.shape)")
        let m = a.shape[0], n = a.shape[1], r = Swift.min(m, n)
        require(rank >= 1 && rank <= r, "SVD.truncated: rank \(rank) outside [1, \(r)] for \(a.shape)")
        let work = a.copied()
        var s = [Float](repeating: 0, count: r)
        let u = Tensor.empty(Shape([m, r])), vt = Tensor.empty(Shape([r, n]))
        try LAPACK.sgesdd(m: m, n: n, a: work.ptr, s: &s, u: u.ptr, vt: vt.ptr)
        return SVD(u: u.slice(axis: 1, 0..<rank).detached, s: Array(s.prefix(rank)),
                   vt: vt.slice(axis: 0, 0..<rank).detached)
    }

    /// Randomized truncated SVD of a sparse matrix (Halko, Martinsson & Tropp, SIAM Review 2011,
    /// Algorithms 4.4 and 5.1): a Gaussian range finder with `powerIterations` subspace
    /// iterations (re-orthonormalised by QR each half-step), then an exact SVD of the small
    /// projected matrix. Works on the CSR matrix and its transpose only: memory is
    /// O(nnz + (m + n)·(rank + oversampling)), never m·n.
    /// - Parameters:
    ///   - rank: the number of singular triplets k.
    ///   - oversampling: extra random directions p (default 10).
    ///   - powerIterations: q (default 4; more helps slowly decaying spectra).
    ///   - rng: the seeded source of the test matrix.
    /// - Throws: `LinalgError` when LAPACK fails.
    public static func randomized(_ a: CSRMatrix, rank: Int, oversampling: Int = 10,
                                  powerIterations: Int = 4, rng: inout SplitMix64) throws -> SVD {
        let m = a.rows, n = a.columns
        require(rank >= 1 && rank <= Swift.min(m, n),
                     "SVD.randomized: rank \(rank) outside [1, \(Swift.min(m, n))] for \(m)×\(n)")
        let l = Swift.min(rank + Swift.max(oversampling, 0), Swift.min(m, n))
        let at = a.transposed()
        let omega = Tensor.randomNormal(Shape([n, l]), rng: &rng)
        var q = a.multiply(omega)                        // [m, l]
        try LAPACK.orthonormalize(m: m, n: l, a: q.ptr)
        for _ in 0..<powerIterations {
            let z = at.multiply(q)                       // [n, l]
            try LAPACK.orthonormalize(m: n, n: l, a: z.ptr)
            q = a.multiply(z)
            try LAPACK.orthonormalize(m: m, n: l, a: q.ptr)
        }
        // Bᵀ = Aᵀ·Q is [n, l]; its SVD Bᵀ = U'·S·V'ᵀ gives B = V'·S·U'ᵀ.
        let bt = at.multiply(q)
        var s = [Float](repeating: 0, count: l)
        let uPrime = Tensor.empty(Shape([n, l])), vtPrime = Tensor.empty(Shape([l, l]))
        try LAPACK.sgesdd(m: n, n: l, a: bt.ptr, s: &s, u: uPrime.ptr, vt: vtPrime.ptr)
        // U = Q·V' (V' = vtPrimeᵀ), Vᵀ = U'ᵀ.
        let u = Tensor.matmulKernel(q, vtPrime, false, true)           // [m, l]
        let vt = uPrime.permuteKernel([1, 0])                          // [l, n]
        return SVD(u: u.slice(axis: 1, 0..<rank).detached, s: Array(s.prefix(rank)),
                   vt: vt.slice(axis: 0, 0..<rank).detached)
    }
}
