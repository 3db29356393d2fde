import SeqRecCore

/// Returns the exact top-K items of a catalogue for one query embedding φ.
///
/// Every scorer returns the same list as exhaustive scoring over the same scores, ordered by
/// score and then lower item index (`TopKSelector`'s tie policy, shared with evaluation).
/// Excluded items (e.g. the seen history) never appear; K larger than the catalogue returns
/// every remaining item. One file per scorer plus one line in `Scorers.registry`.
public protocol TopKScorer {
    /// The registry id, e.g. `"pq-topk"`.
    static var id: String { get }
    /// The K best items for `query`, excluding `excluded` (item indices 0..<items).
    /// - Throws: `HyperparameterError` naming the argument for K ≤ 0, a wrongly sized or
    ///   non-finite query.
    func topK(_ query: [Float], k: Int, excluding excluded: [Int32]) throws -> [ScoredItem]
}

/// A registered scorer: its id and how to build it over a PQ catalogue (the dense scorer
/// reconstructs the item embeddings from it).
public struct ScorerEntry: Registered {
    public let id: String
    public let summary: String
    public let make: (PQCatalogue) throws -> any TopKScorer
}

/// The scorer registry.
public enum Scorers {
    /// Every scorer: one line each.
    public static let registry = Registry<ScorerEntry>(family: "scoring method", [
        ScorerEntry(id: ExhaustivePQScorer.id, summary: "every item's PQ score, one by one") { ExhaustivePQScorer(catalogue: $0) },
        ScorerEntry(id: DenseScorer.id, summary: "dense dot products with the reconstructed embeddings") { try DenseScorer(reconstructing: $0) },
        ScorerEntry(id: RecJPQScorer.id, summary: "RecJPQ's original scoring (reconstruct, then score)") { RecJPQScorer(catalogue: $0) },
        ScorerEntry(id: PQTopKScorer.id, summary: "PQTopK (thesis Algorithm 2)") { PQTopKScorer(catalogue: $0) },
        ScorerEntry(id: RecJPQPruneScorer.id, summary: "RecJPQPrune, dynamic pruning (thesis Algorithm 4)") { try RecJPQPruneScorer(catalogue: $0) },
    ])

    public static var all: [String] { registry.ids }
}

/// Shared argument checks and the exclusion rule: asking for K + |excluded| and dropping the
/// excluded afterwards is exact, because at most |excluded| of the kept items can be dropped.
enum ScorerSupport {
    static func validate(k: Int, items: Int) throws {
        try HyperparameterError.checkAtLeast("k", k, 1)
        guard items > 0 else { throw HyperparameterError(key: "items", value: "0", allowed: "a non-empty catalogue") }
    }

    static func finish(_ selector: TopKSelector, k: Int, excluded: Set<Int32>) -> [ScoredItem] {
        Array(selector.sorted().lazy.filter { !excluded.contains($0.item) }.prefix(k))
    }

    /// Merges per-chunk selectors into one.
    static func merge(_ parts: [TopKSelector], k: Int) -> TopKSelector {
        var all = TopKSelector(k: k)
        for p in parts { for s in p.sorted() { all.offer(s.score, s.item) } }
        return all
    }
}

/// Σₖ S[k·b + c[k]] over m splits in split order (any m, b).
@inline(__always)
func pqScore(_ c: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>, _ m: Int, _ b: Int) -> Float {
    pqScore(s, m, b) { Int(c[$0]) }
}

/// Σₖ S[k·b + code(k)] over m splits in split order, whatever the layout the codes are read from
/// (RecJPQPrune's blocks hold them strided): the one PQ sum every scorer's exact scores use.
@inline(__always)
func pqScore(_ s: UnsafePointer<Float>, _ m: Int, _ b: Int, code: (Int) -> Int) -> Float {
    var acc: Float = 0
    for k in 0..<m { acc += s[k * b + code(k)] }
    return acc
}

/// Σₖ S[k, c[k]] for m = 8, b = 256, summed in split order (identical to the general loop),
/// unrolled with byte loads feeding the table lookups. Shared by PQTopK and RecJPQPrune.
@inline(__always)
func pqScore8(_ c: UnsafePointer<UInt8>, _ s: UnsafePointer<Float>) -> Float {
    var acc = s[Int(c[0])]
    acc += s[256 + Int(c[1])]
    acc += s[512 + Int(c[2])]
    acc += s[768 + Int(c[3])]
    acc += s[1024 + Int(c[4])]
    acc += s[1280 + Int(c[5])]
    acc += s[1536 + Int(c[6])]
    acc += s[1792 + Int(c[7])]
    return acc
}
