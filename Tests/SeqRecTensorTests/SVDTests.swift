import SeqRecCore
import SeqRecTensor
import SeqRecTestSupport
import Testing

@Suite struct SVDTests {
    /// A known rank-3 matrix U·diag(10, 5, 2)·Vᵀ with orthonormal U, V (from QR of random data).
    func lowRank(m: Int, n: Int) throws -> (Tensor, [Float]) {
        var rng = SplitMix64(seed: 17)
        let u = Tensor.randomNormal([m, 3], rng: &rng).copied(), v = Tensor.randomNormal([n, 3], rng: &rng).copied()
        var uq = u, vq = v
        try uq.withUnsafeMutableBufferPointer { try LAPACK.orthonormalize(m: m, n: 3, a: $0.baseAddress!) }
        try vq.withUnsafeMutableBufferPointer { try LAPACK.orthonormalize(m: n, n: 3, a: $0.baseAddress!) }
        let s: [Float] = [10, 5, 2]
        let us = uq * Tensor(s)
        return (Tensor.matmul(us, vq, transposeB: true), s)
    }

    @Test func denseSVDRecoversAKnownLowRankMatrix() throws {
        let (a, s) = try lowRank(m: 40, n: 25)
        let svd = try SVD.truncated(a, rank: 3)
        for i in 0..<3 { #expect(Swift.abs(svd.s[i] - s[i]) < 1e-4) }
        #expect(Compare.maxAbsDifference(svd.reconstruct(), a) < 1e-4)
    }

    @Test func randomizedSparseSVDAgreesWithDense() throws {
        let (a, s) = try lowRank(m: 60, n: 45)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<60 { for c in 0..<45 { triplets.append((r, c, a[r, c])) } }
        let csr = CSRMatrix(rows: 60, columns: 45, triplets: triplets)
        var rng = SplitMix64(seed: 1)
        let rand = try SVD.randomized(csr, rank: 3, rng: &rng)
        let dense = try SVD.truncated(a, rank: 3)
        for i in 0..<3 {
            #expect(Swift.abs(rand.s[i] - s[i]) < 1e-3)
            #expect(Swift.abs(rand.s[i] - dense.s[i]) < 1e-3)
        }
        #expect(Compare.maxAbsDifference(rand.reconstruct(), a) < 1e-3)
        // Singular subspaces agree: |⟨u_rand, u_dense⟩| = 1 per component.
        for k in 0..<3 {
            var dot: Float = 0
            for r in 0..<60 { dot += rand.u[r, k] * dense.u[r, k] }
            #expect(Swift.abs(Swift.abs(dot) - 1) < 1e-3)
        }
    }

    @Test func csrBuildsSortedRowsAndSumsDuplicates() {
        let m = CSRMatrix(rows: 2, columns: 3, triplets: [(1, 2, 1), (0, 1, 2), (1, 0, 3), (1, 2, 4)])
        #expect(m.rowStarts == [0, 1, 3])
        #expect(m.columnIndices == [1, 0, 2])
        #expect(m.values == [2, 3, 5])
        let y = m.multiply(Tensor(shape: [3, 1], scalars: [1, 10, 100]))
        #expect(y.scalars == [20, 503])
        #expect(m.transposed().transposed().values == m.values)
    }

    @Test func randomizedSVDOnLargeSparseMatrixNeverDensifies() throws {
        // 100k × 50k with 1M non-zeros: the dense matrix would need 20 GB.
        let rows = 100_000, cols = 50_000, nnz = 1_000_000
        var rng = SplitMix64(seed: 3)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        triplets.reserveCapacity(nnz)
        for _ in 0..<nnz {
            // Skewed columns (popular items) give a decaying spectrum, like interaction data.
            let u = rng.nextUniformDouble()
            triplets.append((rng.nextInt(below: rows), Int(Double(cols) * u * u), 1))
        }
        let csr = CSRMatrix(rows: rows, columns: cols, triplets: triplets)
        triplets = []
        let svd = try SVD.randomized(csr, rank: 16, powerIterations: 2, rng: &rng)
        #expect(svd.u.shape == [rows, 16] && svd.vt.shape == [16, cols])
        #expect(zip(svd.s, svd.s.dropFirst()).allSatisfy { $0 >= $1 } && svd.s[0] > 0)
        let peakBytes = Double(MemoryUsage.peakResidentBytes())
        // Far below the 20 GB dense size (and below 10 % of it).
        #expect(peakBytes < 2e9, "peak RSS \(peakBytes / 1e9) GB")
        // Check U's columns are orthonormal and A·v₁ ≈ s₁·u₁ for the top component.
        let v1 = svd.vt.slice(axis: 0, 0..<1).reshaped([cols, 1])
        let av = csr.multiply(v1)
        var err: Float = 0, norm: Float = 0
        for r in 0..<rows {
            err += (av[r, 0] - svd.s[0] * svd.u[r, 0]) * (av[r, 0] - svd.s[0] * svd.u[r, 0])
            norm += av[r, 0] * av[r, 0]
        }
        #expect((err / norm).squareRoot() < 1e-2)
    }

    @Test func lapackFailureIsAThrownError() {
        let nan = Tensor(shape: [3, 3], scalars: [Float](repeating: .nan, count: 9))
        #expect(throws: LinalgError.self) { try SVD.truncated(nan, rank: 2) }
    }
}
