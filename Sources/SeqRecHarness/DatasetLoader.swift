import Foundation
import SeqRecCore
import SeqRecData

/// Loads a spec's datasets once per run (relative paths from the repository root), checking
/// the expected fingerprint.
final class DatasetLoader {
    let root: String
    private var cache: [String: (DatasetSplit, DatasetStatistics)] = [:]
    private var generators: [String: SyntheticDataset] = [:]

    init(root: String) { self.root = root }

    /// nil when the dataset's files are absent (its cells are skipped, not failed).
    func load(_ ref: ExperimentSpec.DatasetRef) throws -> (split: DatasetSplit, statistics: DatasetStatistics)? {
        if let c = cache[ref.name] { return c }
        let label = ref.label ?? ref.name
        var source: DatasetSource
        if let s = ref.synthetic {
            var g = SyntheticDataset()
            let keys = ["users", "items", "meanLength", "minLength", "genres", "popularityExponent", "followProbability", "successors", "seed"]
            for k in s.keys.sorted() where !keys.contains(k) {
                throw SpecError(file: ref.name, ConfigError.unknownKey(section: "datasets.\(ref.name).synthetic", key: k, valid: keys).description)
            }
            func integer(_ k: String) throws -> Int? {
                guard let v = s[k] else { return nil }
                guard v == v.rounded(), v >= 0, v < 1e12 else {
                    throw SpecError(file: ref.name, ConfigError.invalidValue(key: "datasets.\(ref.name).synthetic.\(k)", message: "must be a whole number ≥ 0").description)
                }
                return Int(v)
            }
            if let v = try integer("users") { g.users = v }
            if let v = try integer("items") { g.items = v }
            if let v = s["meanLength"] { g.meanLength = v }
            if let v = try integer("minLength") { g.minLength = v }
            if let v = try integer("genres") { g.genres = v }
            if let v = s["popularityExponent"] { g.popularityExponent = v }
            if let v = s["followProbability"] { g.followProbability = v }
            if let v = try integer("successors") { g.successors = v }
            if let v = try integer("seed") { g.seed = UInt64(v) }
            source = DatasetSource(origin: .synthetic(g), name: label)
            generators[ref.name] = g
        } else {
            guard let path = ref.path else { throw SpecError(file: ref.name, "dataset needs `path` or `synthetic`") }
            let full = path.hasPrefix("/") ? path : root + "/" + path
            guard FileManager.default.fileExists(atPath: full) else { return nil }
            source = try DatasetSource.path(full, format: ref.format ?? "user-item", name: label)
            source.minUserInteractions = ref.minUser ?? 0
            source.cache = DatasetCache(directory: root + "/experiments/results/.dataset-cache")
        }
        source.validationUsers = ref.validationUsers ?? 512
        let (split, stats) = try source.load()
        let fp = split.dataset.fingerprint.description
        if let expected = ref.fingerprint, expected != fp {
            throw SpecError(file: ref.name, "fingerprint \(fp) differs from the spec's \(expected): other data or preprocessing")
        }
        cache[ref.name] = (split, stats)
        return (split, stats)
    }

    /// Item genres per internal id for ILD: the generator's for synthetic data, else the
    /// dataset's `genres` file, else `item_genres.tsv` beside a gsasrec-split; nil if none.
    func genres(_ ref: ExperimentSpec.DatasetRef) throws -> [[Int]]? {
        guard let (split, _) = try load(ref) else { return nil }
        let vocabulary = split.dataset.vocabulary
        if let g = generators[ref.name] { return ItemGenres.of(g, vocabulary: vocabulary) }
        var file = ref.genres.map { $0.hasPrefix("/") ? $0 : root + "/" + $0 }
        if file == nil, ref.format == "gsasrec-split", let path = ref.path {
            let beside = (path.hasPrefix("/") ? path : root + "/" + path) + "/item_genres.tsv"
            if FileManager.default.fileExists(atPath: beside) { file = beside }
        }
        guard let file else { return nil }
        return try ItemGenres.matching(path: file, vocabulary: vocabulary, key: "datasets.\(ref.name).genres")
    }
}
