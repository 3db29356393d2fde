import SeqRecModels

/// The component names specs may use, each list from the component's own registry.
enum Registry {
    static var presets: [String] { RunConfig.presets.keys.sorted() }
    static let baselines = ["popularity", "mf-bpr"]
    static let scoringMethods = ["pq-topk", "recjpq", "dense"]
}
