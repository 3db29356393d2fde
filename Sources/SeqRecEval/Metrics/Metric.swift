import SeqRecCore

/// A per-case metric: one value per evaluated case, averaged for reporting, kept per user for
/// significance tests. One file per metric plus one line in `Metrics.registry`.
public protocol Metric: Sendable {
    /// The reported name, e.g. `ndcg@10`.
    var name: String { get }
    /// How far down the list the metric looks (the evaluator keeps at least this many).
    var depth: Int { get }
    /// The value for one case.
    func value(_ c: RankedCase) -> Double
}

/// Side information some metrics need (genres for ILD, popularity for PCOUNT).
public struct MetricContext: Sendable {
    /// Genre ids per internal item id (index 0 unused).
    public var itemGenres: [[Int]]?
    /// Item popularity per internal id: its share of training interactions.
    public var popularity: [Double]?

    public init(itemGenres: [[Int]]? = nil, popularity: [Double]? = nil) {
        self.itemGenres = itemGenres
        self.popularity = popularity
    }
}

/// A metric named in a config: `{"id": "ndcg", "k": 10}`.
public struct MetricSpec: Sendable, Codable, Equatable {
    public var id: String
    public var k: Int?

    public init(id: String, k: Int? = nil) {
        self.id = id
        self.k = k
    }
}

/// A registered metric: its id and how to build it at depth k.
public struct MetricEntry: Registered {
    public let id: String
    public let make: (Int, MetricContext) throws -> any Metric
}

/// The metric registry.
public enum Metrics {
    /// Every metric: one line each.
    public static let registry = Registry<MetricEntry>(family: "metric", [
        MetricEntry(id: "ndcg") { k, _ in NDCG(k: k) },
        MetricEntry(id: "recall") { k, _ in Recall(k: k) },
        MetricEntry(id: "precision") { k, _ in Precision(k: k) },
        MetricEntry(id: "mrr") { _, _ in MRR() },
        MetricEntry(id: "ild") { k, c in
            guard let g = c.itemGenres else { throw ConfigError.missingKey(section: "metric ild", key: "item genres") }
            return ILD(k: k, itemGenres: g)
        },
        MetricEntry(id: "pcount") { k, c in
            guard let p = c.popularity else { throw ConfigError.missingKey(section: "metric pcount", key: "item popularity") }
            return PCOUNT(k: k, popularity: p)
        },
    ])

    /// Every registered id.
    public static var ids: [String] { registry.ids }

    /// Builds the metric a spec names.
    /// - Throws: `ConfigError.unknownComponent` listing the valid ids; `HyperparameterError` for k < 1.
    public static func make(_ spec: MetricSpec, context: MetricContext = MetricContext()) throws -> any Metric {
        let entry = try registry.entry(spec.id)
        let k = spec.k ?? 10
        try HyperparameterError.checkAtLeast("k", k, 1)
        return try entry.make(k, context)
    }
}
