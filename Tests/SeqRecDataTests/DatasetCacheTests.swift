import Foundation
import SeqRecCore
import SeqRecData
import Testing

/// The binary dataset cache: a second load reads the entry, a changed file or setting misses,
/// and a corrupt, truncated or foreign entry is rebuilt, never trusted.
@Suite struct DatasetCacheTests {
    final class Notices: @unchecked Sendable {
        var messages: [String] = []
        let lock = NSLock()
        func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    }

    static func source(_ path: String, cache: DatasetCache, notices: Notices, minUser: Int = 0) throws -> DatasetSource {
        var s = try DatasetSource.path(path, format: "grouplens", name: "ml")
        s.cache = cache
        s.minUserInteractions = minUser
        s.cacheNotice = { notices.add($0) }
        return s
    }

    /// A cache in a directory beside `path` that keeps files of any size.
    static func cacheBeside(_ path: String) -> DatasetCache {
        DatasetCache(directory: URL(fileURLWithPath: path).deletingLastPathComponent().path + "/cache", minimumBytes: 0)
    }

    static func same(_ a: SequenceDataset, _ b: SequenceDataset) -> Bool {
        a.userIDs == b.userIDs && a.offsets == b.offsets && a.items == b.items && a.timestamps == b.timestamps
            && a.vocabulary == b.vocabulary && a.provenance == b.provenance && a.name == b.name && a.fingerprint == b.fingerprint
    }

    func ratings(users: Int) -> String {
        var rng = SplitMix64(seed: 8)
        return (1...users).flatMap { u in (0..<6).map { k in "\(u)::\(rng.nextInt(below: 90) + 1)::5::\(1_000 + k * 7 % 5)" } }
            .joined(separator: "\n") + "\n"
    }

    @Test func aSecondLoadReadsTheEntryAndEqualsTheParse() throws {
        let path = tempFile(ratings(users: 300), name: "ratings.dat")
        let cache = Self.cacheBeside(path)
        let notices = Notices()
        let source = try Self.source(path, cache: cache, notices: notices)
        let parsed = try source.dataset()
        let key = try #require(cache.key(path: path, settings: "format=grouplens; options=\(FormatOptions()); \(Preprocessing()); name=ml"))
        let (hit, rejected) = cache.load(key: key)
        #expect(rejected == nil)
        #expect(Self.same(try #require(hit), parsed))
        #expect(Self.same(try source.dataset(), parsed))
        // Recomputed from the arrays, the stored fingerprint holds.
        let recomputed = SequenceDataset(name: parsed.name, userIDs: parsed.userIDs, offsets: parsed.offsets, items: parsed.items,
                                         timestamps: parsed.timestamps, vocabulary: parsed.vocabulary, provenance: parsed.provenance)
        #expect(recomputed.fingerprint == hit!.fingerprint)
        // The first load's dataset carries the fingerprint computed beside the entry's payload.
        #expect(parsed.fingerprint == recomputed.fingerprint)
        // Another setting is another entry; below the size threshold nothing is cached.
        #expect(try Self.source(path, cache: cache, notices: notices, minUser: 6).dataset().userCount == parsed.userCount)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.directory).filter { $0.hasSuffix(".seqrec-dataset") }.count == 2)
        #expect(DatasetCache(directory: cache.directory).key(path: path, settings: "") == nil)
        #expect(notices.messages.isEmpty)
    }

    @Test func statisticsAndFingerprintAreTheSameOnAFirstLoadAHitAndWithoutTheCache() throws {
        let path = tempFile(ratings(users: 200), name: "ratings.dat")
        let notices = Notices()
        let cached = try Self.source(path, cache: Self.cacheBeside(path), notices: notices)
        var plain = try DatasetSource.path(path, format: "grouplens", name: "ml")
        plain.cache = nil
        let (d0, s0) = try plain.datasetAndStatistics()
        let (d1, s1) = try cached.datasetAndStatistics()   // writes the entry; statistics beside the fingerprint
        let (d2, s2) = try cached.datasetAndStatistics()   // reads it
        #expect(s1 == s0 && s2 == s0)
        #expect(d1.fingerprint == d0.fingerprint && d2.fingerprint == d0.fingerprint)
        #expect(s0.interactions == 1_200 && s0.users == 200)
        #expect(notices.messages.isEmpty)
    }

    @Test func aChangedFileIsParsedAgain() throws {
        let path = tempFile(ratings(users: 50), name: "ratings.dat")
        let cache = Self.cacheBeside(path)
        let source = try Self.source(path, cache: cache, notices: Notices())
        let first = try source.dataset()
        try (ratings(users: 50) + "999::1::5::1\n999::2::5::2\n").write(toFile: path, atomically: false, encoding: .utf8)
        let second = try source.dataset()
        #expect(second.userCount == first.userCount + 1 && second.fingerprint != first.fingerprint)
    }

    @Test func corruptTruncatedOrForeignEntriesAreRebuiltNeverTrusted() throws {
        let path = tempFile(ratings(users: 120), name: "ratings.dat")
        let cache = Self.cacheBeside(path)
        let notices = Notices()
        let source = try Self.source(path, cache: cache, notices: notices)
        let truth = try source.dataset()
        let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.directory).first { $0.hasSuffix(".seqrec-dataset") })
        let entryPath = cache.directory + "/" + entry
        let good = try Data(contentsOf: URL(fileURLWithPath: entryPath))
        var flipped = good
        flipped[good.count - 40] ^= 0x10
        let damages: [(Data, String)] = [
            (flipped, "checksum does not match"),
            (good.prefix(good.count - 9), "truncated"),
            (Data("SEQRECDS".utf8) + Data([5, 0, 0, 0]) + Data("{bad}".utf8), "header is unreadable"),
            (Data("hello world, not an entry".utf8), "not a dataset cache entry"),
        ]
        for (damaged, why) in damages {
            try damaged.write(to: URL(fileURLWithPath: entryPath))
            notices.messages = []
            #expect(Self.same(try source.dataset(), truth), "\(why)")
            #expect(notices.messages.count == 1 && notices.messages[0].contains(why), "\(notices.messages)")
            // …and the rebuilt entry is good again.
            #expect(try Data(contentsOf: URL(fileURLWithPath: entryPath)) == good)
        }
        // An entry renamed onto another key's file name belongs to another source.
        let other = DatasetCache(directory: cache.directory, minimumBytes: 0)
        #expect(other.load(key: "v1; another key").0 == nil)
        try good.write(to: URL(fileURLWithPath: other.entryPath("v1; another key")))
        let (hit, rejected) = other.load(key: "v1; another key")
        #expect(hit == nil && rejected?.contains("another source") == true)
    }
}
