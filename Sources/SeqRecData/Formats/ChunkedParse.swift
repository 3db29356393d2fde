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
}

/// The parallel read behind every interaction format: the data lines are split into chunks at
/// line boundaries, one per thread of the budget; each chunk is scanned and interned into its
/// own `TokenIndex` and writes its rows in place; the chunks' tokens are then merged in file
/// order. Ids, row order and so the fingerprint are those of a sequential read, for any thread
/// count; the error reported is the first in file order (the lowest chunk's first error).
enum ChunkedParse {
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
                    out[c] = countNewlines(bytes.baseAddress! + lo, hi - lo) + (bytes[hi - 1] == 10 ? 0 : 1)
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
        defer { fields.deallocate() }
        let bytes = file.bytes, separator = parser.separator
        var start = range.lowerBound, line = firstLine, rows = 0, released = start
        while start < range.upperBound {
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
            if start - released >= 8 << 20 {
                file.release(released..<start)
                released = start
            }
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
        Parallel.for(results.count - 1, grain: 1) { range in
            for c in range.map({ $0 + 1 }) {
                userMaps[c].withUnsafeBufferPointer { um in
                    itemMaps[c].withUnsafeBufferPointer { im in
                        for k in starts[c]..<starts[c + 1] {
                            users[k] = um[Int(users[k])]
                            items[k] = im[Int(items[k])]
                        }
                    }
                }
            }
        }
    }

    /// The number of `\n` bytes in `p[0..<n]`, eight at a time (an exact zero-byte test).
    static func countNewlines(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var count = 0, i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ (ones &* 10)
            let zero = ~(((x & low7) &+ low7) | x | low7)
            count += zero.nonzeroBitCount
            i += 8
        }
        while i < n {
            if p[i] == 10 { count += 1 }
            i += 1
        }
        return count
    }
}
