import SeqRecCore

/// A large synthetic catalogue with realistic score structure, for pruning benchmarks
/// (random codes and embeddings, as in the thesis's timing simulation, give pruning nothing to
/// exploit).
///
/// Items live in a clustered r-dimensional latent space (zᵢ = centre + noise); their embedding
/// is Eᵢ = A·zᵢ for a fixed random A (d × r). Codes come from the same procedure as RecJPQ's
/// SVD assignment: the item-latent matrix's top-m principal directions, each cut into b quantile
/// bins. Sub-item embeddings are consistent with the latent space: Ψ[k, j] is the k-th slice
/// of A times the mean latent of the items holding sub-id j in split k. Queries are A·z for z
/// near a random cluster centre. Everything is seeded.
///
/// `codes: .clusters` is a second, clearly different regime: every cluster gets one sub-id per
/// split (clusters hashed onto the b sub-ids) and Ψ[k, j] is slice k of the mean embedding of
/// the clusters mapped to j — classic PQ of clustered data, where an item near the query tends
/// to own the best sub-id of every split at once (the concentration trained RecJPQ models show).
public struct StructuredCatalogue {
    /// How codes are assigned.
    public enum Codes: String, Sendable { case svdQuantile, clusters }

    public let catalogue: PQCatalogue
    let projection: [Float]      // A, d × r
    let centres: [[Float]]
    let latentDim: Int
    let seed: UInt64

    public init(items: Int, splits: Int = 8, subIDs: Int = 256, dim: Int = 512, latentDim: Int = 16,
                clusters: Int = 1_000, spread: Float = 0.3, codes codeMode: Codes = .svdQuantile, seed: UInt64 = 1) throws {
        try HyperparameterError.checkAtLeast("latentDim", latentDim, splits)
        let r = latentDim
        var rng = SplitMix64(seed: seed)
        let centres = (0..<clusters).map { _ in (0..<r).map { _ in rng.nextNormal() } }
        // Latents, item-major [items, r], filled in parallel seeded blocks.
        var z = [Float](repeating: 0, count: items * r)
        var clusterOf = [Int32](repeating: 0, count: items)
        let block = 65_536
        z.withUnsafeMutableBufferPointer { zp in
            clusterOf.withUnsafeMutableBufferPointer { cp in
                Parallel.for((items + block - 1) / block, grain: 1) { range in
                    for blk in range {
                        var g = SplitMix64(seed: SplitMix64.mix(seed ^ UInt64(blk) ^ 0x51))
                        for i in (blk * block)..<Swift.min(items, (blk + 1) * block) {
                            let ci = g.nextInt(below: clusters)
                            cp[i] = Int32(ci)
                            let c = centres[ci]
                            for t in 0..<r { zp[i * r + t] = c[t] + spread * g.nextNormal() }
                        }
                    }
                }
            }
        }
        // Principal directions of the latents: eigenvectors of the r × r covariance (power
        // iteration with deflation; r is small).
        var mean = [Double](repeating: 0, count: r)
        for i in 0..<items { for t in 0..<r { mean[t] += Double(z[i * r + t]) } }
        mean = mean.map { $0 / Double(items) }
        var cov = [Double](repeating: 0, count: r * r)
        for i in 0..<items {
            for a in 0..<r {
                let x = Double(z[i * r + a]) - mean[a]
                for b in a..<r { cov[a * r + b] += x * (Double(z[i * r + b]) - mean[b]) }
            }
        }
        for a in 0..<r { for b in 0..<a { cov[a * r + b] = cov[b * r + a] } }
        var directions: [[Double]] = []
        for _ in 0..<splits {
            var v = (0..<r).map { _ in Double(rng.nextNormal()) }
            for _ in 0..<200 {
                var w = (0..<r).map { a in (0..<r).reduce(0.0) { $0 + cov[a * r + $1] * v[$1] } }
                for d in directions { let p = zip(w, d).reduce(0.0) { $0 + $1.0 * $1.1 }; w = zip(w, d).map { $0 - p * $1 } }
                let norm = (w.reduce(0.0) { $0 + $1 * $1 }).squareRoot()
                v = w.map { $0 / Swift.max(norm, 1e-300) }
            }
            directions.append(v)
        }
        // Codes: quantile bins of each projection, or one sub-id per cluster and split.
        var codes = [UInt8](repeating: 0, count: items * splits)
        if codeMode == .clusters {
            var h = SplitMix64(seed: seed ^ 0xC1)
            let table = (0..<(clusters * splits)).map { _ in UInt8(h.nextInt(below: subIDs)) }
            for i in 0..<items { for k in 0..<splits { codes[i * splits + k] = table[Int(clusterOf[i]) * splits + k] } }
        }
        for (k, d) in directions.enumerated() where codeMode == .svdQuantile {
            var proj = [Float](repeating: 0, count: items)
            for i in 0..<items {
                var s = 0.0
                for t in 0..<r { s += Double(z[i * r + t]) * d[t] }
                proj[i] = Float(s)
            }
            let order = (0..<items).sorted { proj[$0] != proj[$1] ? proj[$0] < proj[$1] : $0 < $1 }
            for (rank, i) in order.enumerated() { codes[i * splits + k] = UInt8(Swift.min(subIDs - 1, rank * subIDs / items)) }
        }
        // Projection A (d × r) and consistent sub-item embeddings.
        let a = (0..<(dim * r)).map { _ in rng.nextNormal() / Float(r).squareRoot() }
        let w = dim / splits
        var psi = [Float](repeating: 0, count: splits * subIDs * w)
        for k in 0..<splits {
            var sum = [Double](repeating: 0, count: subIDs * r), count = [Int](repeating: 0, count: subIDs)
            for i in 0..<items {
                let j = Int(codes[i * splits + k])
                count[j] += 1
                for t in 0..<r { sum[j * r + t] += Double(z[i * r + t]) }
            }
            for j in 0..<subIDs where count[j] > 0 {
                for row in 0..<w {
                    var s = 0.0
                    for t in 0..<r { s += Double(a[(k * w + row) * r + t]) * sum[j * r + t] / Double(count[j]) }
                    psi[(k * subIDs + j) * w + row] = Float(s)
                }
            }
        }
        catalogue = try PQCatalogue(items: items, splits: splits, subIDs: subIDs, dim: dim, codes: codes, subEmbeddings: psi)
        projection = a
        self.centres = centres
        self.latentDim = r
        self.seed = seed
    }

    /// Seeded queries near random cluster centres (embedding space, length d).
    public func queries(_ count: Int, noise: Float = 0.2) -> [[Float]] {
        var rng = SplitMix64(seed: seed ^ 0x9E)
        let d = catalogue.dim, r = latentDim
        return (0..<count).map { _ in
            let c = centres[rng.nextInt(below: centres.count)]
            let z = c.map { $0 + noise * rng.nextNormal() }
            return (0..<d).map { row in (0..<r).reduce(Float(0)) { $0 + projection[row * r + $1] * z[$1] } }
        }
    }
}
