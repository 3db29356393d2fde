import Foundation
import SeqRecCore

/// The binary layout of a `DatasetCache` entry: `SEQRECDS`, a little-endian UInt32 header length,
/// a JSON header (key, name, provenance, counts, fingerprint, payload checksum), then 8-byte
/// aligned little-endian sections — offsets (Int64), items (Int32), timestamps (Float64, when
/// present), id lengths (UInt32, users then items), id bytes (UTF-8).
enum DatasetCacheEntry {
    static let magic = Array("SEQRECDS".utf8)

    struct Header: Codable {
        var key: String
        var name: String
        var provenance: String
        var users: Int
        var items: Int
        var interactions: Int
        var timestamps: Bool
        var fingerprint: DatasetFingerprint
        var payloadBytes: Int
        var checksum: String
    }

    /// The entry's arrays and ids as written after the header, with their checksum: all of the
    /// entry but the header, which alone needs the fingerprint.
    struct Payload {
        var bytes: Data
        var checksum: String
    }

    static func payload(_ d: SequenceDataset) -> Payload {
        var payload = Data()
        payload.reserveCapacity(8 * (d.offsets.count + d.interactionCount) + 16 * (d.userCount + d.vocabulary.itemCount) + 64)
        func section<T>(_ values: [T]) {
            values.withUnsafeBytes { payload.append(contentsOf: $0) }
            payload.append(contentsOf: [UInt8](repeating: 0, count: (8 - payload.count % 8) % 8))
        }
        #if _endian(big)
        section(d.offsets.map { Int64($0).littleEndian })
        section(d.items.map { $0.littleEndian })
        if let t = d.timestamps { section(t.map { $0.bitPattern.littleEndian }) }
        #else
        section(d.offsets.map { Int64($0) })
        section(d.items)
        if let t = d.timestamps { section(t) }
        #endif
        let ids = d.userIDs + d.vocabulary.externalIDs
        section(ids.map { UInt32($0.utf8.count).littleEndian })
        for s in ids { payload.append(contentsOf: s.utf8) }
        return Payload(bytes: payload, checksum: checksum(payload))
    }

    /// The entry as its header and payload (written one after the other); `payload` must be
    /// `payload(d)` (computed here when nil).
    static func encode(_ d: SequenceDataset, key: String, payload given: Payload? = nil) throws -> [Data] {
        let body = given ?? payload(d)
        let header = Header(key: key, name: d.name, provenance: d.provenance, users: d.userCount, items: d.vocabulary.itemCount,
                            interactions: d.interactionCount, timestamps: d.timestamps != nil, fingerprint: d.fingerprint,
                            payloadBytes: body.bytes.count, checksum: body.checksum)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var json = try encoder.encode(header)
        json.append(contentsOf: [UInt8](repeating: 32, count: (8 - (json.count + 12) % 8) % 8))
        var head = Data(magic)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { head.append(contentsOf: $0) }
        head.append(json)
        return [head, body.bytes]
    }

    /// Reads and verifies an entry.
    /// - Throws: a description of what is wrong (truncated, corrupt, another key, inconsistent).
    static func read(path: String, key: String) throws -> SequenceDataset {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> SequenceDataset in
            guard raw.count >= 12, Array(raw[0..<8]) == magic else { throw DataError(file: path, "not a dataset cache entry") }
            let headerLength = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
            guard 12 + headerLength <= raw.count,
                  let header = try? JSONDecoder().decode(Header.self, from: Data(raw[12..<(12 + headerLength)])) else {
                throw DataError(file: path, "the cache entry's header is unreadable")
            }
            guard header.key == key else { throw DataError(file: path, "the cache entry belongs to another source or setting") }
            let payload = UnsafeRawBufferPointer(rebasing: raw[(12 + headerLength)...])
            guard payload.count == header.payloadBytes else {
                throw DataError(file: path, "the cache entry is truncated (\(payload.count) of \(header.payloadBytes) payload bytes)")
            }
            guard checksum(payload) == header.checksum else { throw DataError(file: path, "the cache entry's checksum does not match") }
            var at = 0
            func section<T>(_ count: Int, _ type: T.Type) throws -> [T] {
                let bytes = count * MemoryLayout<T>.stride
                guard count >= 0, at + bytes <= payload.count else { throw DataError(file: path, "the cache entry is inconsistent") }
                let values = [T](unsafeUninitializedCapacity: count) { buffer, n in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[at..<(at + bytes)]))
                    n = count
                }
                at += bytes + (8 - bytes % 8) % 8
                return values
            }
            let offsets = try section(header.users + 1, Int64.self).map { Int(Int64(littleEndian: $0)) }
            var items = try section(header.interactions, Int32.self)
            var times = header.timestamps ? try section(header.interactions, Double.self) : nil
            #if _endian(big)
            items = items.map { Int32(littleEndian: $0) }
            times = times?.map { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }
            #endif
            let lengths = try section(header.users + header.items, UInt32.self).map { Int(UInt32(littleEndian: $0)) }
            var strings: [String] = []
            strings.reserveCapacity(lengths.count)
            for n in lengths {
                guard at + n <= payload.count else { throw DataError(file: path, "the cache entry is inconsistent") }
                strings.append(String(decoding: UnsafeRawBufferPointer(rebasing: payload[at..<(at + n)]), as: UTF8.self))
                at += n
            }
            guard offsets.first == 0, offsets.last == items.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
                  items.allSatisfy({ $0 >= 1 && Int($0) <= header.items }) else {
                throw DataError(file: path, "the cache entry is inconsistent")
            }
            let vocabulary = try ItemVocabulary(externalIDs: Array(strings[header.users...]))
            return SequenceDataset(name: header.name, userIDs: Array(strings[..<header.users]), offsets: offsets, items: items,
                                   timestamps: times, vocabulary: vocabulary, provenance: header.provenance,
                                   fingerprint: header.fingerprint)
        }
    }

    /// A fast 128-bit checksum: four independent multiply-xor lanes over 8-byte words.
    static func checksum(_ data: Data) -> String { data.withUnsafeBytes { checksum($0) } }

    static func checksum(_ raw: UnsafeRawBufferPointer) -> String {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x27D4_EB2F_1656_67C5)
        let p: UInt64 = 0x0000_0100_0000_01B3
        var i = 0
        let n = raw.count
        while i + 32 <= n {
            lanes.0 = (lanes.0 ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* p
            lanes.1 = (lanes.1 ^ raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* p
            lanes.2 = (lanes.2 ^ raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* p
            lanes.3 = (lanes.3 ^ raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* p
            lanes.0 ^= lanes.0 >> 31; lanes.1 ^= lanes.1 >> 31; lanes.2 ^= lanes.2 >> 31; lanes.3 ^= lanes.3 >> 31
            i += 32
        }
        var tail = ContentHasher()
        while i < n { tail.mix(raw[i]); i += 1 }
        tail.mix(Int64(n))
        for l in [lanes.0, lanes.1, lanes.2, lanes.3] { tail.mix(Int64(bitPattern: l)) }
        return tail.hex
    }
}
