import Foundation
import SeqRecCore

/// A binary copy of a loaded dataset (its CSR arrays, ids and fingerprint), so the next load of
/// the same file with the same settings reads arrays instead of parsing text.
///
/// Entries are keyed by the source — absolute path, size, modification time (ns), inode, format,
/// format options, filters, name — and this cache's format version: editing or replacing the
/// file, or changing a setting, gives another key. An entry is written atomically and carries
/// a checksum of its payload; one that is truncated, corrupt or written for another key is
/// never trusted — it is removed and the dataset is parsed again. Small files (below
/// `minimumBytes`) are not cached: they parse faster than a cache entry is checked.
public struct DatasetCache: Sendable, Equatable {
    /// Bump when the parsing or preprocessing result for the same input could change.
    public static let formatVersion = 1
    /// Where entries go.
    public var directory: String
    /// Files smaller than this are parsed every time.
    public var minimumBytes: Int

    public init(directory: String, minimumBytes: Int = 16 << 20) {
        self.directory = directory
        self.minimumBytes = minimumBytes
    }

    /// The default location: `SEQREC_CACHE_DIR`, else `$XDG_CACHE_HOME/seqrec/datasets`, else
    /// `~/.cache/seqrec/datasets`.
    public static var userDefault: DatasetCache {
        let env = ProcessInfo.processInfo.environment
        if let d = env["SEQREC_CACHE_DIR"], !d.isEmpty { return DatasetCache(directory: d) }
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache").path
        return DatasetCache(directory: base + "/seqrec/datasets")
    }

    /// The key of a file source, or nil when it is not cached (not a regular file, too small).
    public func key(path: String, settings: String) -> String? {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var st = stat()
        guard stat(absolute, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) >= minimumBytes else { return nil }
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return "v\(DatasetCache.formatVersion); path=\(absolute); size=\(st.st_size); mtime=\(mtime); inode=\(st.st_ino); \(settings)"
    }

    /// The entry file of a key.
    public func entryPath(_ key: String) -> String {
        var h = ContentHasher()
        h.mix(key)
        return directory + "/" + h.hex + ".seqrec-dataset"
    }

    /// The cached dataset for `key`, or nil (with the reason when an entry was there but unusable,
    /// in which case it is removed).
    public func load(key: String) -> (SequenceDataset?, rejected: String?) {
        let path = entryPath(key)
        guard FileManager.default.fileExists(atPath: path) else { return (nil, nil) }
        do {
            return (try DatasetCacheEntry.read(path: path, key: key), nil)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            return (nil, "\(error)")
        }
    }

    /// Writes `dataset` for `key` atomically.
    /// - Throws: `FileError` when the directory or file cannot be written.
    public func store(_ dataset: SequenceDataset, key: String) throws {
        try AtomicFile.write(parts: DatasetCacheEntry.encode(dataset, key: key), to: entryPath(key))
    }

    /// Writes `dataset` for `key` atomically and returns it with its fingerprint kept. A fingerprint
    /// not known yet (one serial hash, ~0.25 s for 20M interactions) is computed on one thread while
    /// another copies and checksums the entry's payload, which does not depend on it, and then runs
    /// `alongside` (other work on the dataset that would otherwise wait for the hash).
    /// - Throws: `FileError` when the directory or file cannot be written (the fingerprint is then
    ///   computed again when asked for).
    public func store(fingerprinting dataset: SequenceDataset, key: String,
                      alongside: ((SequenceDataset) -> Void)? = nil) throws -> SequenceDataset {
        guard dataset.knownFingerprint == nil else {
            alongside?(dataset)
            try store(dataset, key: key)
            return dataset
        }
        var fingerprint: DatasetFingerprint? = nil, payload: DatasetCacheEntry.Payload? = nil
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            if k == 0 {
                fingerprint = dataset.fingerprint
            } else {
                payload = DatasetCacheEntry.payload(dataset)
                alongside?(dataset)
            }
        }
        let fingerprinted = dataset.with(fingerprint: fingerprint!)
        try AtomicFile.write(parts: DatasetCacheEntry.encode(fingerprinted, key: key, payload: payload), to: entryPath(key))
        return fingerprinted
    }
}
