import SeqRecCore

/// Seeded mutations of a valid input file: the classes of damage real files arrive with.
struct Mutator {
    enum Mutation: String, CaseIterable {
        case truncate, randomBytes, nul, hugeNumber, negativeNumber, fractionalNumber, nonFiniteNumber
        case dropField, extraField, wrongDelimiter, bom, crlf, nonUTF8, swapLines, deleteLine, duplicateLine
        case emptyFile, blankOnly, longField, manyFields, emptyField
    }

    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }

    /// One to three mutations of `input`; returns the bytes and the names of what was done.
    mutating func mutate(_ input: [UInt8]) -> (bytes: [UInt8], mutations: [Mutation]) {
        var bytes = input, done: [Mutation] = []
        for _ in 0..<(1 + below(3)) {
            let m = pick(Mutation.allCases)
            bytes = apply(m, to: bytes)
            done.append(m)
        }
        return (bytes, done)
    }

    mutating func apply(_ m: Mutation, to b: [UInt8]) -> [UInt8] {
        switch m {
        case .truncate: return Array(b.prefix(below(b.count + 1)))
        case .randomBytes:
            var out = b
            for _ in 0..<(1 + below(8)) where !out.isEmpty { out[below(out.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            return out
        case .nul: return insert([0], into: b)
        case .hugeNumber: return replaceNumber(b, with: pick(["99999999999999999999999", "4294967296", "2147483647", "2147483646",
                                                             "9223372036854775807", "1e308", "1e999", "340282366920938463463374607431768211456"]))
        case .negativeNumber: return replaceNumber(b, with: pick(["-1", "-0", "0", "-2147483648", "-9999999999999"]))
        case .fractionalNumber: return replaceNumber(b, with: pick(["1.5", "0.0001", "3e2", "1E+2", ".5", "5."]))
        case .nonFiniteNumber: return replaceNumber(b, with: pick(["nan", "NaN", "inf", "-inf", "Infinity", "-Infinity"]))
        case .dropField: return editLine(b) { f, r in if !f.isEmpty { f.remove(at: r % f.count) } }
        case .extraField: return editLine(b) { f, r in f.insert(Array("x".utf8), at: r % (f.count + 1)) }
        case .wrongDelimiter:
            let (from, to) = (delimiter(of: b), pick([",", "\t", " ", ";", "::", "|"].map { Array($0.utf8) }))
            return replaceAll(b, from, to)
        case .bom: return [0xEF, 0xBB, 0xBF] + b
        case .crlf: return replaceAll(b, [10], [13, 10])
        case .nonUTF8: return insert(pick([[0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80]]), into: b)
        case .swapLines:
            var lines = split(b)
            guard lines.count > 1 else { return b }
            lines.swapAt(below(lines.count), below(lines.count))
            return join(lines)
        case .deleteLine:
            var lines = split(b)
            if !lines.isEmpty { lines.remove(at: below(lines.count)) }
            return join(lines)
        case .duplicateLine:
            var lines = split(b)
            if !lines.isEmpty { let i = below(lines.count); lines.insert(lines[i], at: i) }
            return join(lines)
        case .emptyFile: return []
        case .blankOnly: return Array(pick(["\n", "  \n\t\n", "\r\n\r\n", " "]).utf8)
        case .longField: return insert([UInt8](repeating: UInt8(ascii: "7"), count: 20_000 + below(200_000)), into: b)
        case .manyFields:
            let sep = delimiter(of: b)
            var run: [UInt8] = []
            for _ in 0..<(50 + below(3_000)) { run += sep + Array("1".utf8) }
            return insert(run, into: b)
        case .emptyField: return editLine(b) { f, r in if !f.isEmpty { f[r % f.count] = [] } }
        }
    }

    // MARK: helpers

    func split(_ b: [UInt8]) -> [[UInt8]] { b.split(separator: 10, omittingEmptySubsequences: false).map(Array.init) }
    func join(_ lines: [[UInt8]]) -> [UInt8] { Array(lines.joined(separator: [10])) }

    mutating func insert(_ x: [UInt8], into b: [UInt8]) -> [UInt8] {
        let at = below(b.count + 1)
        return Array(b[..<at]) + x + Array(b[at...])
    }

    /// The file's field delimiter (the first of `::`, tab, comma, space that occurs).
    func delimiter(of b: [UInt8]) -> [UInt8] {
        for d in ["::", "\t", ",", " "] where contains(b, Array(d.utf8)) { return Array(d.utf8) }
        return [32]
    }

    func contains(_ b: [UInt8], _ x: [UInt8]) -> Bool {
        guard !x.isEmpty, b.count >= x.count else { return false }
        for i in 0...(b.count - x.count) where b[i..<(i + x.count)].elementsEqual(x) { return true }
        return false
    }

    func replaceAll(_ b: [UInt8], _ from: [UInt8], _ to: [UInt8]) -> [UInt8] {
        guard !from.isEmpty else { return b }
        var out: [UInt8] = [], i = 0
        while i < b.count {
            if i + from.count <= b.count && b[i..<(i + from.count)].elementsEqual(from) {
                out += to
                i += from.count
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    /// Replaces one run of digits (chosen at random) with `text`.
    mutating func replaceNumber(_ b: [UInt8], with text: String) -> [UInt8] {
        var runs: [Range<Int>] = [], i = 0
        while i < b.count {
            if b[i] >= 48 && b[i] <= 57 {
                let s = i
                while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                runs.append(s..<i)
            } else {
                i += 1
            }
        }
        guard !runs.isEmpty else { return b }
        let r = pick(runs)
        return Array(b[..<r.lowerBound]) + Array(text.utf8) + Array(b[r.upperBound...])
    }

    /// Applies `edit` to the fields of one line (split on the file's delimiter).
    mutating func editLine(_ b: [UInt8], _ edit: (inout [[UInt8]], Int) -> Void) -> [UInt8] {
        var lines = split(b)
        guard !lines.isEmpty else { return b }
        let k = below(lines.count), sep = delimiter(of: b)
        var fields: [[UInt8]] = [], cur: [UInt8] = [], i = 0
        let line = lines[k]
        while i < line.count {
            if i + sep.count <= line.count && line[i..<(i + sep.count)].elementsEqual(sep) {
                fields.append(cur)
                cur = []
                i += sep.count
            } else {
                cur.append(line[i])
                i += 1
            }
        }
        fields.append(cur)
        edit(&fields, below(1 << 30))
        lines[k] = Array(fields.joined(separator: sep))
        return join(lines)
    }
}
