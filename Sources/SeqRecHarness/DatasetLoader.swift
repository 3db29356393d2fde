import Foundation
import SeqRecCore
import SeqRecData

/// Loads a spec's datasets once per run (relative paths from the repository root), checking
/// the expected fingerprint.
final class DatasetLoader {
    let root: String
    private var cache: [String: (DatasetSplit, DatasetStatistics)] = [:]

    init(root: String) { self.root = root }

    /// nil when the dataset's files are absent (its cells are skipped, not failed).
    func load(_ ref: ExperimentSpec.DatasetRef) throws -> (split: DatasetSplit, statistics: DatasetStatistics)? {
        if let c = cache[ref.name] { return c }
        let label = ref.label ?? ref.name
        var source: DatasetSource
        if let s = ref.synthetic {
            var g = SyntheticDataset()
            if let v = s["users"] { g.users = Int(v) }
            if let v = s["items"] { g.items = Int(v) }
            if let v = s["meanLength"] { g.meanLength = v }
            if let v = s["seed"] { g.seed = UInt64(v) }
            source = DatasetSource(origin: .synthetic(g), name: label)
        } else {
            guard let path = ref.path else { throw SpecError(file: ref.name, "dataset needs `path` or `synthetic`") }
            let full = path.hasPrefix("/") ? path : root + "/" + path
            guard FileManager.default.fileExists(atPath: full) else { return nil }
            source = try DatasetSource.path(full, format: ref.format ?? "user-item", name: label)
            source.minUserInteractions = ref.minUser ?? 0
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
}
