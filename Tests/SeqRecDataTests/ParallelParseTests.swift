import Foundation
import SeqRecCore
import SeqRecData
import Testing

/// The chunked parallel read: identical to a one-chunk read for any number of chunks, the first
/// error in file order, and the pieces it is built from.
@Suite struct ParallelParseTests {
    /// Rows mixing small and large integer ids, ids with leading zeros and text, blank lines, CRLF.
    static func rows(_ count: Int, seed: UInt64) -> [(user: String, item: String, time: Int)] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { k in
            let u = k / 7
            let user = u % 5 == 0 ? "user-\(u)" : String(u * 1_000_003 % 9_999_999_967)
            let r = rng.nextInt(below: 100)
            let item = r < 60 ? String(rng.nextInt(below: 500)) : r < 75 ? "0\(rng.nextInt(below: 50))"
                : r < 90 ? String(5_000_000_000 + rng.nextInt(below: 300)) : "itém-\(rng.nextInt(below: 200))"
            return (user, item, 1_000_000 + rng.nextInt(below: 40))
        }
    }

    static func text(_ rows: [(user: String, item: String, time: Int)], _ line: (String, String, Int) -> String,
                     header: String? = nil) -> String {
        var out = header.map { $0 + "\n" } ?? ""
        for (k, r) in rows.enumerated() {
            out += line(r.user, r.item, r.time) + (k % 11 == 0 ? "\r\n" : "\n")
            if k % 97 == 0 { out += "\n  \n" }
        }
        return out
    }

    static func same(_ a: InteractionLog, _ b: InteractionLog) -> Bool {
        a.users.tokens == b.users.tokens && a.items.tokens == b.items.tokens && a.userIndex == b.userIndex
            && a.itemIndex == b.itemIndex && a.timestamps == b.timestamps && a.users.allNumeric == b.users.allNumeric
    }

    @Test func everyFormatReadsTheSameForAnyNumberOfChunks() throws {
        let rows = Self.rows(3_000, seed: 5)
        let files: [(String, (Int?) throws -> InteractionLog)] = [
            (tempFile(Self.text(rows) { u, i, _ in "\(u) \t\(i)" }), { try UserItemFormat().read(path: $0.0, chunks: $0.1) }),
            (tempFile(Self.text(rows) { u, i, t in "\(u)::\(i)::4::\(t)" }, name: "ratings.dat"),
             { try GroupLensFormat().read(path: $0.0, chunks: $0.1) }),
            (tempFile(Self.text(rows, { u, i, t in "\(u),\(i),3.5,\(t)" }, header: "userId,movieId,rating,timestamp"), name: "ratings.csv"),
             { try GroupLensFormat().read(path: $0.0, chunks: $0.1) }),
            (tempFile(Self.text(rows, { u, i, t in "\(u)\t\(i)\t\(t).25" }, header: "user_id:token\titem_id:token\ttimestamp:float"),
                      name: "x.inter"), { try RecBoleInterFormat().read(path: $0.0, chunks: $0.1) }),
            (tempFile(Self.text(rows, { u, i, t in "\(t);\(i);\(u)" }, header: "ts;item;user")),
             { try DelimitedFormat(separator: ";", user: .name("user"), item: .name("item"), timestamp: .name("ts")).read(path: $0.0, chunks: $0.1) }),
        ].map { entry in (entry.0, { chunks in try entry.1((entry.0, chunks)) }) }
        for (path, read) in files {
            let one = try read(1)
            #expect(one.count == rows.count, "\(path)")
            #expect(one.items.tokens.contains { $0.count > 1 && $0.hasPrefix("0") } && !one.items.allNumeric)
            for chunks in [2, 3, 7, 64] {
                #expect(Self.same(one, try read(chunks)), "\(path) with \(chunks) chunks")
            }
            // And the fingerprint of the processed data.
            let d1 = try Preprocessing.thesis.apply(to: one, name: "x"), d7 = try Preprocessing.thesis.apply(to: try read(7), name: "x")
            #expect(d1.fingerprint == d7.fingerprint)
        }
    }

    @Test func theErrorReportedIsTheFirstInFileOrder() throws {
        var lines = (1...4_000).map { "u\($0 / 10) \($0 % 300)" }
        lines[2_499] = "u1 2 3"      // line 2,500 (in the third of four chunks)
        lines[3_599] = "oops"        // line 3,600 (in the fourth)
        let path = tempFile(lines.joined(separator: "\n") + "\n")
        for chunks in [1, 2, 4, 9] {
            #expect(throws: DataError(file: path, line: 2_500, "expected 2 fields `user item`, found 3")) {
                _ = try UserItemFormat().read(path: path, chunks: chunks)
            }
        }
        // Line numbers count blank lines and the header in every chunk.
        let csv = tempFile("userId,movieId,rating,timestamp\n" + (2...3_000).map { k in
            k == 2_800 ? "1,2,x,5" : k % 100 == 0 ? "" : "\(k / 10),\(k % 50),4,\(k)"
        }.joined(separator: "\n"), name: "ratings.csv")
        for chunks in [1, 5] {
            #expect(throws: DataError(file: csv, line: 2_800, "rating `x` is not a number")) {
                _ = try GroupLensFormat().read(path: csv, chunks: chunks)
            }
        }
    }

    @Test func chronologyViolationsNameTheirLineWithParallelChunks() throws {
        let path = tempFile("user,item,time\n" + (1...2_000).map { k in
            k == 1_500 ? "u3,9,1" : "u\(k % 5),\(k % 40),\(1_000 + k)"
        }.joined(separator: "\n"))
        let format = DelimitedFormat(user: .name("user"), item: .name("item"), timestamp: .name("time"), requireChronological: true)
        for chunks in [1, 6] {
            #expect(throws: DataError(file: path, line: 1_501,
                                      "timestamps go backwards for user u3 (1.0 after 2498.0); rows must be chronological")) {
                _ = try format.read(path: path, chunks: chunks)
            }
        }
    }

    @Test func lineNumbersHoldWhereverTheChunksFall() throws {
        // A bad line at many positions, with blank lines, CRLF and a last line without a newline:
        // every chunk's first line number comes from counting the newlines before it.
        let good = (1...600).map { k in k % 13 == 0 ? "" : k % 7 == 0 ? "u\(k / 9) \(k % 40)\r" : "u\(k / 9) \(k % 40)" }
        for bad in [1, 2, 9, 64, 65, 299, 300, 301, 598, 600] {
            var lines = good
            lines[bad - 1] = "lonely"
            let path = tempFile(lines.joined(separator: "\n"))
            for chunks in [1, 2, 5, 16] {
                #expect(throws: DataError(file: path, line: bad, "expected 2 fields `user item`, found 1")) {
                    _ = try UserItemFormat().read(path: path, chunks: chunks)
                }
            }
        }
    }

    @Test func timestampsConvertExactlyAsTheGeneralParser() throws {
        var rng = SplitMix64(seed: 3)
        var cases = ["0", "-0", "5", "3.5", ".5", "1.", "1e5", "00012.0500", "123456789012345", "1234567890123456", "0.1", "0.3",
                     "978300760", "1.7976931348623157", "4.0", "-2.5e-3", "12345678901234567890.5"]
        for _ in 0..<2_000 {
            let whole = String(rng.nextInt(below: 1_000_000_000)), frac = String(rng.nextInt(below: 10_000_000))
            cases.append(rng.nextInt(below: 2) == 0 ? "\(whole).\(frac)" : "-\(frac).\(whole)")
        }
        let path = tempFile("u,i,t\n" + cases.enumerated().map { "u\($0.offset),1,\($0.element)" }.joined(separator: "\n"))
        let log = try DelimitedFormat(user: .name("u"), item: .name("i"), timestamp: .name("t")).read(path: path)
        #expect(log.timestamps!.map(\.bitPattern) == cases.map { Double($0)!.bitPattern })
        for bad in ["-", "1.2.3", "--1", "x"] {
            let p = tempFile("u,i,t\nu,1,\(bad)\n")
            #expect(throws: DataError(file: p, line: 2, "timestamp `\(bad)` is not a number")) {
                _ = try DelimitedFormat(user: .name("u"), item: .name("i"), timestamp: .name("t")).read(path: p)
            }
        }
    }

    @Test func tokenTableKeepsFirstAppearanceOrderAcrossItsLookups() {
        // Small integers (direct array), large integers (hashed), leading zeros and text (by bytes).
        var table = TokenTable()
        var rng = SplitMix64(seed: 2)
        var expected: [String] = [], seen: Set<String> = []
        for _ in 0..<20_000 {
            let r = rng.nextInt(below: 4)
            let t = r == 0 ? String(rng.nextInt(below: 1_000)) : r == 1 ? String(4_194_304 + rng.nextInt(below: 3_000))
                : r == 2 ? "t\(rng.nextInt(below: 3_000))" : "0\(rng.nextInt(below: 100))"
            if seen.insert(t).inserted { expected.append(t) }
            #expect(Int(table.intern(t)) == expected.firstIndex(of: t)!)
        }
        #expect(table.tokens == expected && !table.allNumeric)
        #expect(table.value(expected.firstIndex(of: expected.first { Int($0) != nil && !$0.hasPrefix("0") }!)!) != nil)
    }

    @Test func integerTokensReadBackAsTheirDigitsAndAreNumberedAscending() throws {
        var table = TokenTable()
        let values: [Int64] = [0, 9, 10, 99, 100, 4_194_303, 4_194_304, 123_456_789_012_345_678, 999_999_999_999_999_999]
        for v in values.reversed() { _ = table.intern(String(v)) }
        #expect(table.tokens == values.reversed().map { String($0) })
        #expect(table.strings([8, 0, 4]) == ["0", "999999999999999999", "100"])
        // Items first seen in descending order are numbered ascending; the vocabulary maps every id back.
        let items = [500, 7, 123_456_789, 42, 7, 1, 500]
        let path = tempFile(items.enumerated().map { "\($0.offset % 3 + 1) \($0.element)" }.joined(separator: "\n") + "\n")
        let d = try Preprocessing().apply(to: UserItemFormat().read(path: path), name: "t")
        #expect(d.vocabulary.externalIDs == ["1", "7", "42", "500", "123456789"])
        for (k, e) in d.vocabulary.externalIDs.enumerated() { #expect(d.vocabulary.internalID(e) == Int32(k + 1)) }
        #expect(d.vocabulary.internalID("8") == nil && d.userIDs == ["1", "2", "3"])
    }

    @Test func hashingAnIntegerEqualsHashingItsBytes() {
        // The fingerprint's `mix(Int64)` takes a shortcut for values below 2^32; it must not change a hash.
        var rng = SplitMix64(seed: 12)
        let values: [Int64] = [0, 1, 255, 256, 4_294_967_295, 4_294_967_296, -1, .max, .min]
            + (0..<500).map { _ in Int64(bitPattern: rng.next()) >> Int64(rng.nextInt(below: 64)) }
        for v in values {
            var a = ContentHasher(), b = ContentHasher()
            a.mix("x")
            b.mix("x")
            a.mix(v)
            withUnsafeBytes(of: UInt64(bitPattern: v).littleEndian) { b.mix(bytes: $0) }
            #expect(a.hex == b.hex, "\(v)")
        }
        var a = ContentHasher(), b = ContentHasher()
        let small = values.map { Int32(truncatingIfNeeded: $0) }
        for v in small { a.mix(Int64(v)) }
        small.withUnsafeBufferPointer { b.mix(widening: $0) }
        #expect(a.hex == b.hex)
    }

    @Test func theOnePassScanOfNumericLinesEqualsTheGeneralPath() throws {
        // A leading space sends every line to the general split (which trims it); without it,
        // all-numeric lines take the one-pass scan. Both must read the same.
        var rng = SplitMix64(seed: 21)
        // Ids of 1 to 13 digits (the scan reads up to 7 digits from one 8-byte word, longer ones byte by byte).
        func id() -> Int { [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 1_000_000_000_000][rng.nextInt(below: 9)] + rng.nextInt(below: 9) }
        let rows = (0..<2_000).map { k in (k / 9 * 977 % 10_000_019 + 1, id(), rng.nextInt(below: 9) + 1, 978_300_000 + rng.nextInt(below: 500)) }
        let layouts: [(String, String?, (Int, Int, Int, Int) -> String, (String) throws -> InteractionLog)] = [
            ("a.txt", nil, { u, i, _, _ in "\(u)\t \(i)" }, { try UserItemFormat().read(path: $0) }),
            ("ratings.dat", nil, { u, i, r, t in "\(u)::\(i)::\(r)::\(t)" }, { try GroupLensFormat().read(path: $0) }),
            ("ratings.csv", "userId,movieId,rating,timestamp", { u, i, r, t in "\(u),\(i),\(r).5,\(t).125" }, { try GroupLensFormat().read(path: $0) }),
            ("x.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float", { u, i, r, t in "\(u)\t\(i)\t\(r)\t\(t)" },
             { try RecBoleInterFormat().read(path: $0) }),
            ("d.csv", "t;item;user", { u, i, _, t in "\(t).75;\(i);\(u)" },
             { try DelimitedFormat(separator: ";", user: .name("user"), item: .name("item"), timestamp: .name("t")).read(path: $0) }),
        ]
        for (name, header, line, read) in layouts {
            let body = rows.map { line($0.0, $0.1, $0.2, $0.3) }
            let fast = try read(tempFile(([header].compactMap { $0 } + body).joined(separator: "\n") + "\n", name: name))
            let general = try read(tempFile(([header].compactMap { $0 } + body.map { " " + $0 }).joined(separator: "\r\n"), name: name))
            #expect(fast.count == rows.count && Self.same(fast, general), "\(name)")
            #expect(fast.users.allNumeric && fast.items.allNumeric)
        }
    }
}
