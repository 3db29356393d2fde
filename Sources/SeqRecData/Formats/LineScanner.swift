import Foundation

/// Reads a whole file and walks it line by line, splitting fields without building strings.
struct LineScanner {
    let path: String
    let bytes: Data

    /// Loads `path`.
    /// - Throws: `DataError` if it cannot be read or is empty.
    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(file: path, "cannot read the file (missing or not readable)")
        }
        if data.isEmpty { throw DataError(file: path, "the file is empty") }
        // A UTF-8 byte-order mark is not part of the first field.
        bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
            throw DataError(file: path, "the file holds only blank lines")
        }
    }

    /// Calls `body(lineNumber, fields)` for every non-blank line; `fields` are the line's
    /// fields split on `separator` (nil = runs of spaces/tabs). A trailing `\r` is dropped.
    func forEachLine(separator: [UInt8]?, maxFields: Int = 16,
                     _ body: (Int, _ fields: inout FieldList) throws -> Void) throws {
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let buf = raw.bindMemory(to: UInt8.self)
            let n = buf.count
            var start = 0
            var lineNo = 0
            var fields = FieldList(capacity: maxFields)
            while start < n {
                lineNo += 1
                var end = start
                while end < n && buf[end] != 10 { end += 1 }
                var stop = end
                if stop > start && buf[stop - 1] == 13 { stop -= 1 }
                fields.reset(base: buf.baseAddress!)
                split(buf, start, stop, separator, &fields)
                if fields.count > 0 { try body(lineNo, &fields) }
                start = end + 1
            }
        }
    }

    private func split(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ sep: [UInt8]?,
                       _ f: inout FieldList) {
        guard let sep else {
            var i = lo
            while i < hi {
                while i < hi && (b[i] == 32 || b[i] == 9) { i += 1 }
                if i >= hi { break }
                let s = i
                while i < hi && b[i] != 32 && b[i] != 9 { i += 1 }
                f.append(s, i)
            }
            return
        }
        // Blank line → no fields.
        var blank = true
        for i in lo..<hi where b[i] != 32 && b[i] != 9 { blank = false; break }
        if blank { return }
        var s = lo, i = lo
        let m = sep.count
        while i + m <= hi {
            var match = true
            for k in 0..<m where b[i + k] != sep[k] { match = false; break }
            if match {
                f.append(s, i)
                i += m
                s = i
            } else {
                i += 1
            }
        }
        f.append(s, hi)
    }
}

/// The fields of one line, as byte ranges into the file buffer.
struct FieldList {
    private var starts: [Int]
    private var ends: [Int]
    private(set) var count = 0
    private var base: UnsafePointer<UInt8>? = nil

    init(capacity: Int) {
        starts = [Int](repeating: 0, count: capacity)
        ends = [Int](repeating: 0, count: capacity)
    }

    mutating func reset(base: UnsafePointer<UInt8>) {
        self.base = base
        count = 0
    }

    mutating func append(_ s: Int, _ e: Int) {
        if count == starts.count {
            starts.append(0)
            ends.append(0)
        }
        starts[count] = s
        ends[count] = e
        count += 1
    }

    /// Field `i` as bytes (trimmed of surrounding spaces).
    /// - Precondition: `i < count` (formats check column indices against `count` first).
    func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(i < count, "field \(i) of a \(count)-field line")
        var s = starts[i], e = ends[i]
        while s < e && (base![s] == 32 || base![s] == 9) { s += 1 }
        while e > s && (base![e - 1] == 32 || base![e - 1] == 9) { e -= 1 }
        return UnsafeBufferPointer(start: base! + s, count: e - s)
    }

    /// Field `i` as text.
    func string(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }

    /// Field `i` as a timestamp.
    /// - Throws: `DataError` naming the file and line when it is not a number.
    func timestamp(_ i: Int, path: String, line: Int) throws -> Double {
        guard let v = double(i) else { throw DataError(file: path, line: line, "timestamp `\(string(i))` is not a number") }
        guard v.isFinite else {
            throw DataError(file: path, line: line, "timestamp `\(string(i))` is not finite (the chronological order would be undefined)")
        }
        return v
    }

    /// Field `i` as a number, or nil.
    func double(_ i: Int) -> Double? {
        let b = bytes(i)
        if let v = TokenTable.plainInteger(b) { return Double(v) }
        return Double(String(decoding: b, as: UTF8.self))
    }
}
