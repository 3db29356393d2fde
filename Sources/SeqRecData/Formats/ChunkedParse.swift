import CSeqRecKernels
import Foundation
import SeqRecCore

/// One data line as a format reads it: where its user and item tokens are, and its timestamp.
struct ParsedRow {
    var user: UnsafeBufferPointer<UInt8>
    var item: UnsafeBufferPointer<UInt8>
    var timestamp: Double = 0
}

/// What a format does with one data line once its header (if any) is resolved. Called from
/// several threads at once: no state.
protocol RowParser: Sendable {
    /// The field separator (nil = runs of spaces/tabs).
    var separator: [UInt8]? { get }
    /// Whether rows carry a timestamp.
    var hasTimestamps: Bool { get }
    /// Reads a non-blank data line.
    /// - Throws: `DataError` naming the file and `line`.
    func row(_ f: FieldList, line: Int) throws -> ParsedRow
    /// True when a line `user item` of two plain integers separated by spaces/tabs is a valid row
    /// as it stands (then the scan reads it in one pass, without splitting).
    var acceptsIntegerPairs: Bool { get }
    /// When a line whose fields are all unsigned numbers (the user and item plain integers) is a
    /// valid row as it stands: where its fields are. The scan then reads such lines in one pass;
    /// any other line takes `row`.
    var numericLayout: NumericLayout? { get }
}

extension RowParser {
    var acceptsIntegerPairs: Bool { false }
    var numericLayout: NumericLayout? { nil }
}

/// The fields of an all-numeric row: how many, which are the user, item and timestamp, and the
/// separator (one or two bytes).
struct NumericLayout {
    var width: Int
    var user: Int
    var item: Int
    var time: Int?
    var separator: [UInt8]
}

/// A `NumericLayout` as the arguments of `seqrec_numeric_rows` (-1 = none).
struct NumericScan {
    let width: Int32, user: Int32, item: Int32, time: Int32
    let first: UInt8, second: Int32

    init(_ l: NumericLayout) {
        (width, user, item, time) = (Int32(l.width), Int32(l.user), Int32(l.item), Int32(l.time ?? -1))
        first = l.separator[0]
        second = l.separator.count == 2 ? Int32(l.separator[1]) : -1
    }
}

/// The parallel read behind every interaction format: the data lines are split into chunks at
/// line boundaries, one per thread of the budget; each chunk is scanned and interned into its
/// own `TokenIndex` and writes its rows in place; the chunks' tokens are then merged in file
/// order. Ids, row order and so the fingerprint are those of a sequential read, for any thread
/// count; the error reported is the first in file order (the lowest chunk's first error).
enum ChunkedParse {
    /// Rows per call of the C numeric scan.
    static let numericBatch = 4_096

    /// Reads the data lines from byte `offset` (a line start numbered `firstLine`) to the end.
    /// - Parameter chunks: the number of chunks (default: the thread budget; one for small files).
    static func read<P: RowParser>(_ scanner: LineScanner, from offset: Int, firstLine: Int, _ parser: P,
                                   chunks requested: Int? = nil) throws -> InteractionLog {
        let file = scanner.file, bytes = scanner.bytes, n = bytes.count
        let want = requested ?? (n - offset < 1 << 20 ? 1 : ThreadBudget.threads)
        // Chunk boundaries at line starts.
        var bounds = [offset]
        for c in 1..<Swift.max(want, 1) {
            let b = file.lineEnd(after: Swift.max(offset + (n - offset) * c / want - 1, bounds.last!))
            if b > bounds.last! && b < n { bounds.append(b) }
        }
        bounds.append(n)
        let chunkCount = bounds.count - 1
        // Lines per chunk: the row capacity of its slice, and where its line numbers start.
        var lines = [Int](repeating: 0, count: chunkCount)
        lines.withUnsafeMutableBufferPointer { out in
            Parallel.for(chunkCount, grain: 1) { r in
                for c in r {
                    let lo = bounds[c], hi = bounds[c + 1]
                    out[c] = file.countNewlines(lo..<hi) + (bytes[hi - 1] == 10 ? 0 : 1)
                }
            }
        }
        var base = [0], firstLines = [firstLine]
        for c in 0..<chunkCount {
            base.append(base[c] + lines[c])
            firstLines.append(firstLines[c] + lines[c])
        }
        let capacity = base[chunkCount]
        var results = [ChunkResult](repeating: ChunkResult(), count: chunkCount)
        var log = InteractionLog(source: scanner.path, hasTimestamps: parser.hasTimestamps)
        var total = 0
        let timed = parser.hasTimestamps
        let userIndex = try [Int32](unsafeUninitializedCapacity: capacity) { users, usersCount in
            log.itemIndex = try [Int32](unsafeUninitializedCapacity: capacity) { items, itemsCount in
                let times = try [Double](unsafeUninitializedCapacity: timed ? capacity : 0) { times, timesCount in
                    // Ordinary pages (no MADV_HUGEPAGE): on a VM that hands freed memory back to its host, a
                    // process started after a pause got its huge pages anew from the host — `seqrec stats`
                    // of 20M lines 0.80–0.89 s with them vs 0.62–0.72 s without (0.03 s slower back to back).
                    results.withUnsafeMutableBufferPointer { res in
                        Parallel.for(chunkCount, grain: 1) { r in
                            for c in r {
                                res[c] = parseChunk(file, bounds[c]..<bounds[c + 1], firstLine: firstLines[c], parser,
                                                    users: users.baseAddress! + base[c], items: items.baseAddress! + base[c],
                                                    times: timed ? times.baseAddress! + base[c] : nil)
                            }
                        }
                    }
                    if let failed = results.first(where: { $0.error != nil }) { throw failed.error! }
                    // Close the gaps left by blank lines, in file order (destinations never pass sources).
                    for c in 0..<chunkCount {
                        let rows = results[c].rows
                        if total != base[c] {
                            (users.baseAddress! + total).update(from: users.baseAddress! + base[c], count: rows)
                            (items.baseAddress! + total).update(from: items.baseAddress! + base[c], count: rows)
                            if timed { (times.baseAddress! + total).update(from: times.baseAddress! + base[c], count: rows) }
                        }
                        total += rows
                    }
                    mergeTokens(&log, results, users: users.baseAddress!, items: items.baseAddress!)
                    timesCount = timed ? total : 0
                }
                if timed { log.timestamps = times }
                itemsCount = total
            }
            usersCount = total
        }
        log.userIndex = userIndex
        return log
    }

    /// Per chunk: its rows, its tokens and its first error.
    private struct ChunkResult {
        var rows = 0
        var users = TokenIndex()
        var items = TokenIndex()
        var error: Error?
    }

    private static func parseChunk<P: RowParser>(_ file: MappedFile, _ range: Range<Int>, firstLine: Int, _ parser: P,
                                                 users: UnsafeMutablePointer<Int32>, items: UnsafeMutablePointer<Int32>,
                                                 times: UnsafeMutablePointer<Double>?) -> ChunkResult {
        var result = ChunkResult()
        var fields = FieldList(capacity: 16)
        let userValues = UnsafeMutablePointer<Int64>.allocate(capacity: numericBatch)
        let itemValues = UnsafeMutablePointer<Int64>.allocate(capacity: numericBatch)
        defer {
            fields.deallocate()
            userValues.deallocate()
            itemValues.deallocate()
        }
        let bytes = file.bytes, separator = parser.separator, pairs = parser.acceptsIntegerPairs
        // (Not with a separator a number could contain.)
        let numeric = parser.numericLayout.flatMap { l in
            !l.separator.isEmpty && l.separator.count <= 2
                && l.separator.allSatisfy { !(48...57).contains($0) && $0 != 46 && $0 != 10 && $0 != 13 } ? NumericScan(l) : nil
        }
        var start = range.lowerBound, line = firstLine, rows = 0, released = start
        while start < range.upperBound {
            if start - released >= 8 << 20 {
                file.release(released..<start)
                released = start
            }
            if pairs, let (u, i, next) = integerPair(bytes, start, range.upperBound) {
                users[rows] = result.users.intern(value: u)
                items[rows] = result.items.intern(value: i)
                rows += 1
                start = next
                line += 1
                continue
            }
            if let s = numeric {
                // A batch of all-numeric rows in C (seqrec_numeric_rows), then their ids here.
                var next = start
                let got = seqrec_numeric_rows(bytes.baseAddress!, start, range.upperBound, bytes.count, s.width, s.user, s.item,
                                              s.time, s.first, s.second, numericBatch, userValues, itemValues,
                                              times.map { $0 + rows }, &next, 1)
                if got > 0 {
                    // A column at a time: each pass looks up one table.
                    result.users.intern(values: userValues, count: got, into: users + rows)
                    result.items.intern(values: itemValues, count: got, into: items + rows)
                    rows += got
                    line += got
                    start = next
                    continue
                }
            }
            let end = Swift.min(file.lineEnd(after: start), range.upperBound)
            fields.split(bytes, start, end, separator)
            if fields.count > 0 {
                do {
                    let r = try parser.row(fields, line: line)
                    users[rows] = result.users.intern(r.user)
                    items[rows] = result.items.intern(r.item)
                    times?[rows] = r.timestamp
                    rows += 1
                } catch {
                    result.error = error
                    break
                }
            }
            start = end
            line += 1
        }
        file.release(released..<start)
        result.rows = rows
        return result
    }

    /// Merges the chunks' tokens in file order and rewrites each chunk's rows to the merged ids.
    private static func mergeTokens(_ log: inout InteractionLog, _ results: [ChunkResult],
                                    users: UnsafeMutablePointer<Int32>, items: UnsafeMutablePointer<Int32>) {
        var userMaps: [[Int32]] = [], itemMaps: [[Int32]] = []
        for r in results {
            userMaps.append(log.users.merge(r.users))
            itemMaps.append(log.items.merge(r.items))
        }
        var starts = [0]
        for r in results { starts.append(starts.last! + r.rows) }
        // The first chunk's ids are the merged ids already (its tokens came first).
        guard results.count > 1 else { return }
        // In pieces of up to 1M rows, so the threads share the work however many chunks there are.
        var pieces: [(chunk: Int, rows: Range<Int>)] = []
        for c in 1..<results.count {
            var lo = starts[c]
            while lo < starts[c + 1] {
                pieces.append((c, lo..<Swift.min(starts[c + 1], lo + (1 << 20))))
                lo += 1 << 20
            }
        }
        Parallel.for(pieces.count, grain: 1) { range in
            for (c, rows) in pieces[range] {
                userMaps[c].withUnsafeBufferPointer { um in
                    itemMaps[c].withUnsafeBufferPointer { im in
                        for k in rows {
                            users[k] = um[Int(users[k])]
                            items[k] = im[Int(items[k])]
                        }
                    }
                }
            }
        }
    }

    /// The line at `start` when it is `digits[ \t]+digits[\r]\n` with two plain integers (no
    /// leading zero, ≤ 18 digits; the last line may lack `\n`): their values and the next line's
    /// offset. Anything else is nil, and the line takes the general path.
    @inline(__always)
    static func integerPair(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ limit: Int) -> (Int64, Int64, Int)? {
        var i = start
        @inline(__always) func integer() -> Int64? {
            let first = i
            var v: Int64 = 0
            // Up to 7 digits from one 8-byte load (SWAR) when 8 bytes are there to read.
            if i + 8 <= b.count, case let (value, n) = swarDigits(UnsafeRawPointer(b.baseAddress! + i), allowEight: false), n < 8 {
                guard n > 0, n == 1 || b[first] != 48, i + n <= limit else { return nil }
                i += n
                return value
            }
            while i < limit {
                let d = b[i] &- 48
                if d > 9 { break }
                v = v &* 10 &+ Int64(d)
                i += 1
            }
            let n = i - first
            guard n > 0, n <= 18, n == 1 || b[first] != 48 else { return nil }
            return v
        }
        guard let u = integer(), i < limit, b[i] == 32 || b[i] == 9 else { return nil }
        while i < limit && (b[i] == 32 || b[i] == 9) { i += 1 }
        guard let item = integer() else { return nil }
        if i < limit && b[i] == 13 { i += 1 }
        if i == limit { return (u, item, i) }
        guard b[i] == 10 else { return nil }
        return (u, item, i + 1)
    }

    /// The run of ASCII digits at `p` within the next 8 bytes: its value and length (8 = all eight
    /// are digits and the run may go on; their value is converted only with `allowEight`, else 0).
    /// Digits are found and converted eight at a time in one 64-bit word.
    @inline(__always)
    static func swarDigits(_ p: UnsafeRawPointer, allowEight: Bool) -> (Int64, Int) {
        let w = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        let t = w ^ 0x3030_3030_3030_3030          // digits become 0…9 in their byte
        // A byte is a non-digit when its high nibble is set or its low nibble is ≥ 10 (+6 carries).
        let nonDigit = ((t &+ 0x0606_0606_0606_0606) | t) & 0xF0F0_F0F0_F0F0_F0F0
        let n = nonDigit == 0 ? 8 : nonDigit.trailingZeroBitCount / 8
        if n == 0 || (n == 8 && !allowEight) { return (0, n) }
        // Right-align the n digit bytes at the top (leading zero digits below), then combine
        // pairs, quads and octets: the first digit (byte 0) is the most significant.
        var v = t << UInt64(8 * (8 - n))
        v = (v &* 10) &+ (v >> 8)
        v = (((v & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32)))
             &+ (((v >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32)))) >> 32
        return (Int64(v), n)
    }
}
