import Foundation
import SeqRecCore

/// The benchmark's interaction files: one seeded log of `users` users (5–195 interactions each,
/// 100 on average) over `items` items with a skewed popularity (item = ⌊N·u^2.5⌋ + 1), written
/// in each file layout the formats read. Written once per size into the temporary directory.
struct DataFiles {
    let users: Int
    let items: Int
    let directory: String

    init(users: Int, items: Int) {
        self.users = users
        self.items = items
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-data-bench-\(users)u-\(items)i").path
    }

    /// A file layout: its format id, file name, header, and how one row is written.
    struct Layout {
        let name: String
        let format: String
        let file: String
        let header: String?
        /// Appends one row (user, item, rating in half-stars 2…10, timestamp).
        let row: (inout [UInt8], Int, Int, Int, Int) -> Void
    }

    static let layouts: [Layout] = [
        Layout(name: "user-item", format: "user-item", file: "interactions.txt", header: nil) { b, u, i, _, _ in
            digits(&b, u); b.append(32); digits(&b, i); b.append(10)
        },
        Layout(name: "grouplens .dat", format: "grouplens", file: "ratings.dat", header: nil) { b, u, i, r, t in
            digits(&b, u); b += [58, 58]; digits(&b, i); b += [58, 58]; digits(&b, r / 2); b += [58, 58]; digits(&b, t); b.append(10)
        },
        Layout(name: "grouplens .csv", format: "grouplens", file: "ratings.csv", header: "userId,movieId,rating,timestamp") { b, u, i, r, t in
            digits(&b, u); b.append(44); digits(&b, i); b.append(44); digits(&b, r / 2); b += [46, UInt8(48 + 5 * (r % 2))]
            b.append(44); digits(&b, t); b.append(10)
        },
        Layout(name: "recbole-inter", format: "recbole-inter", file: "data.inter",
               header: "user_id:token\titem_id:token\trating:float\ttimestamp:float") { b, u, i, r, t in
            digits(&b, u); b.append(9); digits(&b, i); b.append(9); digits(&b, r / 2); b.append(9); digits(&b, t); b.append(10)
        },
        Layout(name: "delimited", format: "delimited", file: "events.csv", header: "user,item,timestamp") { b, u, i, _, t in
            digits(&b, u); b.append(44); digits(&b, i); b.append(44); digits(&b, t); b.append(10)
        },
    ]

    static func digits(_ b: inout [UInt8], _ v: Int) {
        if v >= 10 { digits(&b, v / 10) }
        b.append(UInt8(48 + v % 10))
    }

    func path(_ layout: Layout) -> String { directory + "/" + layout.file }

    /// Writes the layout's file unless it exists; returns its path and number of data lines.
    @discardableResult
    func ensure(_ layout: Layout) -> (path: String, lines: Int) {
        let target = path(layout), countFile = target + ".lines"
        if let n = (try? String(contentsOfFile: countFile, encoding: .utf8)).flatMap({ Int($0) }),
           FileManager.default.fileExists(atPath: target) {
            return (target, n)
        }
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: target + ".tmp", contents: nil)
        let handle = FileHandle(forWritingAtPath: target + ".tmp")!
        var buffer: [UInt8] = []
        buffer.reserveCapacity(5 << 20)
        if let h = layout.header { buffer += Array(h.utf8) + [10] }
        var rng = SplitMix64(seed: 2026)
        var lines = 0
        for u in 1...users {
            let length = 5 + rng.nextInt(below: 191)
            var t = 978_300_000 + rng.nextInt(below: 100_000_000)
            for _ in 0..<length {
                let x = Double(rng.nextInt(below: 1 << 30)) / Double(1 << 30)
                let item = Int(Double(items) * pow(x, 2.5)) + 1
                layout.row(&buffer, u, item, 2 + rng.nextInt(below: 9), t)
                t += rng.nextInt(below: 3) * 60   // some equal timestamps
                lines += 1
            }
            if buffer.count > 4 << 20 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        // Out of the page cache once on disk, so the first read caches it as a read from disk
        // does (readahead's large folios), like the user's files — not as the pages written.
        handle.synchronizeFile()
        posix_fadvise(handle.fileDescriptor, 0, 0, POSIX_FADV_DONTNEED)
        handle.closeFile()
        try! FileManager.default.moveItem(atPath: target + ".tmp", toPath: target)
        try! String(lines).write(toFile: countFile, atomically: true, encoding: .utf8)
        return (target, lines)
    }
}
