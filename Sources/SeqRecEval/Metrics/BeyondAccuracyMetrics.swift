import SeqRecCore
/// Intra-list diversity ILD@K (thesis §8.7.4; authors' code `ild.py`): with cosine distance
/// between multi-hot genre vectors, ILD = (1 / (K(K−1))) · Σ_{i} Σ_{j<i} dist(gᵢ, gⱼ), i.e. the
/// sum of the per-position rewards used for PPO. (Equals half the mean pairwise distance.)
/// Items without genres are at distance 1 from everything.
public struct ILD: Metric {
    public let k: Int
    let itemGenres: [[Int]]
    public init(k: Int, itemGenres: [[Int]]) {
        self.k = k
        self.itemGenres = itemGenres
    }
    public var name: String { "ild@\(k)" }
    public var depth: Int { k }

    public func value(_ c: RankedCase) -> Double {
        let items = c.top.prefix(k).map { Int($0.item) }
        guard k > 1 else { return 0 }
        var s = 0.0
        for i in items.indices {
            for j in 0..<i { s += distance(items[i], items[j]) }
        }
        return s / Double(k * (k - 1))
    }

    func distance(_ a: Int, _ b: Int) -> Double {
        guard a < itemGenres.count, b < itemGenres.count else { return 1 }
        let ga = itemGenres[a], gb = itemGenres[b]
        guard !ga.isEmpty, !gb.isEmpty else { return 1 }
        let common = Set(ga).intersection(gb).count
        return 1 - Double(common) / (Double(ga.count) * Double(gb.count)).squareRoot()
    }
}

/// PCOUNT@K: the mean popularity (share of training interactions) of the top-K items, as the
/// thesis defines it (§8.7.4). The authors' code sums instead of averaging (K× larger);
/// nPCOUNT — PCOUNT divided by the popularity recommender's — is identical either way.
public struct PCOUNT: Metric {
    public let k: Int
    let popularity: [Double]
    public init(k: Int, popularity: [Double]) {
        self.k = k
        self.popularity = popularity
    }
    public var name: String { "pcount@\(k)" }
    public var depth: Int { k }

    public func value(_ c: RankedCase) -> Double {
        let items = c.top.prefix(k)
        guard !items.isEmpty else { return 0 }
        return items.reduce(0) { $0 + popularity[Int($1.item)] } / Double(items.count)
    }
}
