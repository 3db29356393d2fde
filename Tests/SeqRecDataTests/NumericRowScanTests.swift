import CSeqRecKernels
import Foundation
import SeqRecCore
import Testing

/// The readers' all-numeric row scan in C has three implementations: field by field, (with AVX2)
/// from a 64-byte mask of non-digit bytes, and (with AVX-512 VBMI, for the bundled layouts) a row
/// per 64-byte load with its fields converted in vector lanes. On lines of every shape — valid,
/// malformed, long digit runs, fractions, leading zeros, `\r\n`, a missing final newline, a chunk
/// limit inside the buffer — they must read the same rows with the same values and stop at the
/// same line.
@Suite struct NumericRowScanTests {
    /// What a scan read: per batch, its rows (user, item, time bits) and where it stopped.
    struct Reading: Equatable {
        var rows: [[Int64]] = []
        var stops: [Int] = []
    }

    static func scan(_ bytes: [UInt8], limit: Int, width: Int32, user: Int32, item: Int32, time: Int32, s0: UInt8, s1: Int32,
                     structural: Int32) -> Reading {
        var out = Reading()
        let batch = 7   // small, so batches end mid-buffer too
        var users = [Int64](repeating: 0, count: batch), items = users
        var times = [Double](repeating: 0, count: batch)
        bytes.withUnsafeBufferPointer { b in
            var at = 0
            while at < limit {
                var next = at
                let got = times.withUnsafeMutableBufferPointer { t in
                    seqrec_numeric_rows(b.baseAddress!, at, limit, b.count, width, user, item, time, s0, s1, batch,
                                        &users, &items, time >= 0 ? t.baseAddress : nil, &next, structural)
                }
                for r in 0..<got { out.rows.append([users[r], items[r], Int64(bitPattern: time >= 0 ? times[r].bitPattern : 0)]) }
                out.stops.append(next)
                if got == 0 {
                    // Skip the line the scan refused.
                    var k = at
                    while k < limit && b[k] != 10 { k += 1 }
                    at = k + 1
                } else {
                    at = next
                }
            }
        }
        return out
    }

    static let odd = ["0", "00", "0012", "123456789012345678", "1234567890123456789", "12345678901234567", "99999999", "123456789",
                      "1.5", ".5", "5.", "1.2500000001", "", "x", "-3", " 4", "1e5", "4:", "\u{00e9}", "1..5", "."]

    /// `count` random lines of `width` fields joined by `sep`: mostly numbers (some with a
    /// fraction, some of 8–16 digits), one field in `oddEvery` an odd token, now and then a field
    /// too many or too few, the wrong separator, `\r\n`; the last newline sometimes missing.
    static func randomText(_ rng: inout SplitMix64, width: Int, sep: String, count: Int, oddEvery: Int) -> String {
        func number() -> String {
            let digits = 1 + rng.nextInt(below: rng.nextInt(below: 3) == 0 ? 16 : 7)
            var s = String(1 + rng.nextInt(below: 9)) + (1..<digits).map { _ in String(rng.nextInt(below: 10)) }.joined()
            if rng.nextInt(below: 6) == 0 { s += "." + String(rng.nextInt(below: 1_000)) }
            return s
        }
        var text = ""
        for _ in 0..<count {
            var fields = (0..<width).map { _ in rng.nextInt(below: oddEvery) == 0 ? odd[rng.nextInt(below: odd.count)] : number() }
            if rng.nextInt(below: 25) == 0 { fields.append(number()) }
            if rng.nextInt(below: 25) == 0 { fields.removeLast() }
            var line = fields.joined(separator: sep)
            if rng.nextInt(below: 30) == 0 { line = line.replacingOccurrences(of: sep, with: sep == "," ? ";" : ",") }
            text += line + (rng.nextInt(below: 8) == 0 ? "\r\n" : "\n")
        }
        if rng.nextInt(below: 3) == 0 { text.removeLast() }   // no final newline (or a bare \r)
        return text
    }

    /// Either the whole buffer, or a chunk that ends at a line start inside it.
    static func randomLimit(_ bytes: [UInt8], _ rng: inout SplitMix64) -> Int {
        if rng.nextInt(below: 2) == 0, let cut = bytes.indices.filter({ bytes[$0] == 10 }).dropLast().randomElement(using: &rng) {
            return cut + 1
        }
        return bytes.count
    }

    @Test func theStructuralScanReadsWhatTheFieldByFieldScanReads() {
        var rng = SplitMix64(seed: 33)
        let separators: [(UInt8, Int32, String)] = [(58, 58, "::"), (44, -1, ","), (9, -1, "\t"), (59, -1, ";"), (32, -1, " ")]
        var lines = 0, refused = 0
        for trial in 0..<600 {
            let (s0, s1, sep) = separators[trial % separators.count]
            let width = 2 + rng.nextInt(below: 4)
            var roles = Array(0..<width)
            for k in stride(from: width - 1, to: 0, by: -1) { roles.swapAt(k, rng.nextInt(below: k + 1)) }
            let (user, item) = (roles[0], roles[1])
            let time = width > 2 && rng.nextInt(below: 4) > 0 ? roles[2] : -1
            let count = 5 + rng.nextInt(below: 40)
            let bytes = Array(Self.randomText(&rng, width: width, sep: sep, count: count, oddEvery: 12).utf8)
            lines += count
            let limit = Self.randomLimit(bytes, &rng)
            let args = (Int32(width), Int32(user), Int32(item), Int32(time))
            let field = Self.scan(bytes, limit: limit, width: args.0, user: args.1, item: args.2, time: args.3, s0: s0, s1: s1, structural: 0)
            let structural = Self.scan(bytes, limit: limit, width: args.0, user: args.1, item: args.2, time: args.3, s0: s0, s1: s1,
                                       structural: 1)
            #expect(field == structural, "trial \(trial): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            refused += field.stops.count - 1
        }
        // The cases exercise both outcomes.
        #expect(lines > 10_000 && refused > 1_000)
    }

    /// The bundled layouts (user and item first, the time last) over buffers of several 4 KB
    /// windows, where the AVX-512 row scan runs (and the AVX2 one elsewhere).
    @Test func theBundledLayoutsReadWhatTheFieldByFieldScanReads() {
        var rng = SplitMix64(seed: 34)
        let layouts: [(UInt8, Int32, String, Int32, Int32)] = [(58, 58, "::", 4, 3), (44, -1, ",", 4, 3), (9, -1, "\t", 4, 3),
                                                               (44, -1, ",", 3, 2), (58, 59, ":;", 4, 3)]
        var lines = 0, refused = 0, rows = 0
        for trial in 0..<100 {
            let (s0, s1, sep, width, time) = layouts[trial % layouts.count]
            let count = 200 + rng.nextInt(below: 400)
            let bytes = Array(Self.randomText(&rng, width: Int(width), sep: sep, count: count, oddEvery: [8, 40, 400][trial % 3]).utf8)
            lines += count
            let limit = Self.randomLimit(bytes, &rng)
            let field = Self.scan(bytes, limit: limit, width: width, user: 0, item: 1, time: time, s0: s0, s1: s1, structural: 0)
            let fast = Self.scan(bytes, limit: limit, width: width, user: 0, item: 1, time: time, s0: s0, s1: s1, structural: 1)
            #expect(field == fast, "trial \(trial): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            refused += field.stops.count - 1
            rows += field.rows.count
        }
        #expect(lines > 30_000 && refused > 1_000 && rows > 10_000)
    }

    @Test func valuesAreTheDecimalNumbersOfTheLine() {
        let text = "12::3400::4.5::978300760\n7::1::0::1.125\r\n99999999::123456789::1::1234567890123456\n"
        let bytes = Array(text.utf8) + [UInt8](repeating: 0, count: 80)   // room for 64-byte loads: the structural path too
        for structural: Int32 in [0, 1] {
            let r = Self.scan(bytes, limit: text.utf8.count, width: 4, user: 0, item: 1, time: 3, s0: 58, s1: 58, structural: structural)
            #expect(r.rows.count == 2)   // the third timestamp has 16 digits (≥ 10^15): the general path's
            #expect(r.rows.first == [12, 3400, Int64(bitPattern: (978300760.0).bitPattern)])
            #expect(r.rows.last == [7, 1, Int64(bitPattern: (1.125).bitPattern)])
        }
        var counted = 0
        text.utf8.withContiguousStorageIfAvailable { counted = seqrec_count_byte($0.baseAddress!, $0.count, 10) }
        #expect(counted == 3)
    }
}
