import Foundation
import SeqRecCore

/// A safetensors file that could not be read, naming the file and what is wrong.
public typealias SafeTensorsError = FileError

/// The safetensors format (Hugging Face), so checkpoints load in PyTorch (`safetensors.torch`)
/// and NumPy (`safetensors.numpy`) without SeqRec: an 8-byte little-endian header length n,
/// n bytes of UTF-8 JSON mapping each tensor name to `{"dtype", "shape", "data_offsets"}`
/// (offsets relative to the end of the header) plus an optional `"__metadata__"` map of
/// strings, then the raw little-endian tensor bytes. SeqRec writes `F32` tensors and `U8`
/// byte tensors (RecJPQ codebooks), in the order given, with the header padded by spaces to a
/// multiple of 8 bytes (as the reference writer).
public enum SafeTensors {
    /// A `U8` tensor: a shape and its bytes, row-major.
    public struct ByteTensor: Equatable, Sendable {
        public let shape: [Int]
        public let bytes: [UInt8]
        public init(shape: [Int], bytes: [UInt8]) {
            require(shape.reduce(1, *) == bytes.count, "SafeTensors.ByteTensor: \(bytes.count) bytes for shape \(shape)")
            self.shape = shape
            self.bytes = bytes
        }
    }

    /// Everything a file holds: F32 tensors and U8 tensors (each in file order) and metadata.
    public struct Contents {
        public var tensors: [(name: String, tensor: Tensor)]
        public var bytes: [(name: String, tensor: ByteTensor)]
        public var metadata: [String: String]
    }

    /// The bytes of a safetensors file holding `tensors`, then `bytes` (in this order), and `metadata`.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], bytes byteTensors: [(name: String, tensor: ByteTensor)] = [],
                              metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        var seen = Set<String>()
        for (name, t) in tensors {
            require(seen.insert(name).inserted && name != "__metadata__", "SafeTensors: duplicate or reserved name \(name)")
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape.array, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        for (name, t) in byteTensors {
            require(seen.insert(name).inserted && name != "__metadata__", "SafeTensors: duplicate or reserved name \(name)")
            header[name] = ["dtype": "U8", "shape": t.shape, "data_offsets": [offset, offset + t.bytes.count]] as [String: Any]
            offset += t.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors {
            t.withUnsafeBufferPointer { b in
                #if _endian(big)
                for v in b { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
                #else
                out.append(UnsafeBufferPointer(start: UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                               count: b.count * 4))
                #endif
            }
        }
        for (_, t) in byteTensors { out.append(contentsOf: t.bytes) }
        return out
    }

    /// Writes a safetensors file atomically (a failed write leaves the previous file intact).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], bytes: [(name: String, tensor: ByteTensor)] = [],
                             metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(encode(tensors, bytes: bytes, metadata: metadata), to: path)
    }

    /// The F32 tensors (by name, in file order) and metadata of a safetensors file's bytes
    /// (U8 tensors are checked but left out: `decodeContents` returns them).
    public static func decode(_ data: Data, file: String) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let c = try decodeContents(data, file: file)
        return (c.tensors, c.metadata)
    }

    /// Everything in a safetensors file's bytes.
    /// - Throws: `SafeTensorsError` naming `file` for a truncated file, a malformed header,
    ///   a dtype other than F32 or U8, or offsets that do not match the shape or the file.
    public static func decodeContents(_ data: Data, file: String) throws -> Contents {
        guard data.count >= 8 else { throw SafeTensorsError(file: file, "too short for a safetensors header (\(data.count) bytes)") }
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
        guard n <= UInt64(data.count - 8) else {
            throw SafeTensorsError(file: file, "header length \(n) exceeds the file (\(data.count) bytes): truncated or not safetensors")
        }
        let headerEnd = 8 + Int(n)
        guard let header = (try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd))) as? [String: Any] else {
            throw SafeTensorsError(file: file, "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let m = header["__metadata__"] {
            guard let strings = m as? [String: String] else { throw SafeTensorsError(file: file, "__metadata__ must map strings to strings") }
            metadata = strings
        }
        let body = data.count - headerEnd
        var entries: [(name: String, shape: [Int], begin: Int, end: Int, byte: Bool)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let e = value as? [String: Any], let dtype = e["dtype"] as? String,
                  let shape = e["shape"] as? [Int], let offsets = e["data_offsets"] as? [Int], offsets.count == 2 else {
                throw SafeTensorsError(file: file, "tensor \(name): entry needs dtype, shape and two data_offsets")
            }
            guard dtype == "F32" || dtype == "U8" else {
                throw SafeTensorsError(file: file, "tensor \(name): dtype \(dtype) is not supported (F32 and U8 only)")
            }
            let width = dtype == "U8" ? 1 : 4
            guard shape.allSatisfy({ $0 >= 0 }), shape.count <= Shape.maxRank else {
                throw SafeTensorsError(file: file, "tensor \(name): invalid shape \(shape)")
            }
            var count = 1
            for dim in shape + [width] {
                let (product, overflow) = count.multipliedReportingOverflow(by: dim)
                guard !overflow, product <= body else {
                    throw SafeTensorsError(file: file, "tensor \(name): shape \(shape) needs more bytes than the \(body)-byte body")
                }
                count = product
            }
            count /= width
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == count * width, offsets[1] <= body else {
                throw SafeTensorsError(file: file, "tensor \(name): data_offsets \(offsets) do not match shape \(shape) "
                                       + "(\(count * width) bytes) within the \(body)-byte body")
            }
            entries.append((name, shape, offsets[0], offsets[1], dtype == "U8"))
        }
        entries.sort { $0.begin < $1.begin }
        for (a, b) in zip(entries, entries.dropFirst()) where b.begin != a.end {
            throw SafeTensorsError(file: file, b.begin < a.end ? "tensors \(a.name) and \(b.name) overlap"
                                                               : "bytes \(a.end)..<\(b.begin) of the body belong to no tensor")
        }
        // As the reference reader: the tensors cover the body exactly, no bytes before or after.
        let covered = (entries.first?.begin ?? 0, entries.last?.end ?? 0)
        guard covered.0 == 0, covered.1 == body else {
            throw SafeTensorsError(file: file, covered.0 != 0 ? "the body's first \(covered.0) bytes belong to no tensor"
                                   : "\(body - covered.1) bytes after the last tensor's data (the file was appended to or is not one safetensors file)")
        }
        let bytes: [(name: String, tensor: ByteTensor)] = entries.filter(\.byte).map { e in
            (e.name, ByteTensor(shape: e.shape, bytes: [UInt8](data[(headerEnd + e.begin)..<(headerEnd + e.end)])))
        }
        let tensors: [(name: String, tensor: Tensor)] = entries.filter { !$0.byte }.map { e in
            var scalars = [Float](repeating: 0, count: (e.end - e.begin) / 4)
            _ = scalars.withUnsafeMutableBytes { dst in
                data.copyBytes(to: dst, from: (headerEnd + e.begin)..<(headerEnd + e.end))
            }
            #if _endian(big)
            scalars = scalars.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
            #endif
            return (e.name, Tensor(shape: Shape(e.shape), scalars: scalars))
        }
        return Contents(tensors: tensors, bytes: bytes, metadata: metadata)
    }

    /// Reads a safetensors file's F32 tensors and metadata.
    public static func read(path: String) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let c = try readContents(path: path)
        return (c.tensors, c.metadata)
    }

    /// Reads everything in a safetensors file.
    public static func readContents(path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafeTensorsError(file: path, "cannot be read (missing or unreadable)")
        }
        return try decodeContents(data, file: path)
    }
}
