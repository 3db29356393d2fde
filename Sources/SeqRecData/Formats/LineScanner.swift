import Foundation

/// Walks a mapped file line by line, splitting fields without building strings.
struct LineScanner {
    let path: String
    let file: MappedFile

    /// Maps `path`.
    /// - Throws: `DataError` if it cannot be read, is empty or holds only blank lines.
    init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        // Stops at the first non-blank byte: almost always the first.
        if !file.bytes.contains(where: { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }) {
            throw DataError(file: path, "the file holds only blank lines")
        }
    }

    /// The file's bytes.
    var bytes: UnsafeBufferPointer<UInt8> { file.bytes }

    /// Calls `body(lineNumber, fields)` for every non-blank line; `fields` are the line's
    /// fields split on `separator` (nil = runs of spaces/tabs). A trailing `\r` is dropped.
    func forEachLine(separator: [UInt8]?, maxFields: Int = 16,
                     _ body: (Int, _ fields: inout FieldList) throws -> Void) throws {
        _ = try walk(from: 0, firstLine: 1, separator: separator, maxFields: maxFields) { line, f in
            try body(line, &f)
            return true
        }
    }

    /// Like `forEachLine` from byte `offset` (a line start, numbered `firstLine`), until `body`
    /// returns false. - Returns: the offset and number of that line (not consumed), or of the end.
    func walk(from offset: Int, firstLine: Int, separator: [UInt8]?, maxFields: Int = 16,
              _ body: (Int, _ fields: inout FieldList) throws -> Bool) throws -> (offset: Int, line: Int) {
        var fields = FieldList(capacity: maxFields)
        defer { fields.deallocate() }
        var start = offset, line = firstLine
        let n = bytes.count
        while start < n {
            let end = file.lineEnd(after: start)
            fields.split(bytes, start, end, separator)
            if fields.count > 0, try !body(line, &fields) { return (start, line) }
            start = end
            line += 1
        }
        return (start, line)
    }
}

/// The fields of one line, as byte ranges into the file buffer. Owns a small buffer of
/// positions: `deallocate()` when done.
struct FieldList {
    private var starts: UnsafeMutablePointer<Int>
    private var ends: UnsafeMutablePointer<Int>
    private var capacity: Int
    private(set) var count = 0
    private var base: UnsafePointer<UInt8>? = nil

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 4)
        starts = .allocate(capacity: self.capacity)
        ends = .allocate(capacity: self.capacity)
    }

    func deallocate() {
        starts.deallocate()
        ends.deallocate()
    }

    @inline(__always)
    private mutating func append(_ s: Int, _ e: Int) {
        if count == capacity {
            let bigger = capacity * 2
            let s2 = UnsafeMutablePointer<Int>.allocate(capacity: bigger), e2 = UnsafeMutablePointer<Int>.allocate(capacity: bigger)
            s2.update(from: starts, count: count)
            e2.update(from: ends, count: count)
            deallocate()
            (starts, ends, capacity) = (s2, e2, bigger)
        }
        starts[count] = s
        ends[count] = e
        count += 1
    }

    /// Splits the line `b[lo..<hi]` (which may end in `\n` and/or `\r`) on `sep`
    /// (nil = runs of spaces/tabs). A blank line gives no fields.
    @inline(__always)
    mutating func split(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ end: Int, _ sep: [UInt8]?) {
        base = b.baseAddress!
        count = 0
        var hi = end
        if hi > lo && b[hi - 1] == 10 { hi -= 1 }
        if hi > lo && b[hi - 1] == 13 { hi -= 1 }
        guard let sep else {
            var i = lo
            while i < hi {
                while i < hi && (b[i] == 32 || b[i] == 9) { i += 1 }
                if i >= hi { break }
                let s = i
                while i < hi && b[i] != 32 && b[i] != 9 { i += 1 }
                append(s, i)
            }
            return
        }
        var blank = true
        for i in lo..<hi where b[i] != 32 && b[i] != 9 { blank = false; break }
        if blank { return }
        var s = lo
        let first = sep[0], m = sep.count
        if m == 1 {
            for i in lo..<hi where b[i] == first {
                append(s, i)
                s = i + 1
            }
        } else {
            var i = lo
            while i + m <= hi {
                if b[i] == first && (1..<m).allSatisfy({ b[i + $0] == sep[$0] }) {
                    append(s, i)
                    i += m
                    s = i
                } else {
                    i += 1
                }
            }
        }
        append(s, hi)
    }

    /// Field `i` as bytes (trimmed of surrounding spaces).
    /// - Precondition: `i < count` (formats check column indices against `count` first).
    @inline(__always)
    func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(i < count, "field \(i) of a \(count)-field line")
        var s = starts[i], e = ends[i]
        while s < e && (base![s] == 32 || base![s] == 9) { s += 1 }
        while e > s && (base![e - 1] == 32 || base![e - 1] == 9) { e -= 1 }
        return UnsafeBufferPointer(start: base! + s, count: e - s)
    }

    /// Field `i` as text.
    func string(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }

    /// True when field `i` is exactly `text`'s bytes.
    func equals(_ i: Int, _ text: [UInt8]) -> Bool {
        let b = bytes(i)
        return b.count == text.count && b.elementsEqual(text)
    }

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
        if let v = FieldList.simpleDecimal(b) { return v }
        return Double(String(decoding: b, as: UTF8.self))
    }

    /// The powers of ten a `Double` holds exactly.
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// `[-]digits[.digits]` with at most 15 significant digits, converted exactly as
    /// `Double(String)` would (an exact integer divided by an exact power of ten is correctly
    /// rounded); nil for anything else, which takes the general parser.
    @inline(__always)
    static func simpleDecimal(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0, negative = false
        if b.count > 0 && b[0] == 45 { negative = true; i = 1 }
        var m: Int64 = 0, digits = 0, scale = -1, sawDigit = false
        while i < b.count {
            let c = b[i]
            if c >= 48 && c <= 57 {
                m = m * 10 + Int64(c - 48)
                sawDigit = true
                if m > 0 { digits += 1 }
                if scale >= 0 { scale += 1 }
                if digits > 15 { return nil }
            } else if c == 46 && scale < 0 {
                scale = 0
            } else {
                return nil
            }
            i += 1
        }
        guard sawDigit, scale != 0 else { return nil }
        let k = Swift.max(scale, 0)
        guard k < powersOfTen.count else { return nil }
        let v = Double(m) / powersOfTen[k]
        return negative ? -v : v
    }
}
