import Foundation
import SeqRecCore

/// The pre-split directory of the official gSASRec PyTorch port (`ml1m-gsasrec`):
/// `train/input.txt` (one line per user; line number = user id), `val/input.txt` +
/// `val/output.txt` (the validation users), `test/output.txt` (every user's last item) and an
/// optional `test/input.txt`.
///
/// Semantics (see `../shared/datasets/README.md`): validation users train on their sequence
/// minus 3 items, the others minus 2. Without `test/input.txt` the test input is known only for
/// the validation users (val input + val target), so the test cases are restricted to them and
/// the others are counted as `usersWithUnknownTestInput` — never silently treated as known.
/// Validation users are recovered exactly: scanning users in order, a user is the next one
/// when its train line equals the next val-input line minus its last item.
public struct GSASRecPortSplit: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func load() throws -> DatasetSplit {
        let train = try readLines("train/input.txt")
        let valInput = try readLines("val/input.txt")
        let valOutput = try readLines("val/output.txt")
        let testOutput = try readLines("test/output.txt")
        let testInputPath = directory + "/test/input.txt"
        let testInput = FileManager.default.fileExists(atPath: testInputPath) ? try readLines("test/input.txt") : nil
        guard valInput.count == valOutput.count else {
            throw DataError(file: directory + "/val/output.txt", "\(valOutput.count) lines but val/input.txt has \(valInput.count)")
        }
        guard testOutput.count == train.count else {
            throw DataError(file: directory + "/test/output.txt", "\(testOutput.count) lines but train/input.txt has \(train.count) users")
        }
        if let testInput, testInput.count != train.count {
            throw DataError(file: testInputPath, "\(testInput.count) lines but train/input.txt has \(train.count) users")
        }
        for (i, o) in valOutput.enumerated() where o.items.count != 1 {
            throw DataError(file: directory + "/val/output.txt", line: i + 1, "expected one item, found \(o.items.count)")
        }
        for (i, o) in testOutput.enumerated() where o.items.count != 1 {
            throw DataError(file: directory + "/test/output.txt", line: i + 1, "expected one item, found \(o.items.count)")
        }
        // Recover the validation users.
        var valUser = [Int?](repeating: nil, count: train.count)   // user → index in val files
        var next = 0
        for u in 0..<train.count where next < valInput.count {
            if Array(valInput[next].items.dropLast()) == train[u].items {
                valUser[u] = next
                next += 1
            }
        }
        guard next == valInput.count else {
            throw DataError(file: directory + "/val/input.txt", line: next + 1,
                            "no user's train line equals this validation input minus its last item")
        }
        // Known sequences: a full sequence when the test input is known, else the train line.
        var maxItem: Int32 = 0
        var sequences: [[Int32]] = []
        var trainLengths: [Int] = [], validation: [EvaluationCase] = [], test: [EvaluationCase] = []
        var report = SplitReport()
        for u in 0..<train.count {
            let target = testOutput[u].items[0]
            var seq = train[u].items
            trainLengths.append(seq.count)
            if let v = valUser[u] {
                let valTarget = valOutput[v].items[0]
                seq = valInput[v].items
                validation.append(EvaluationCase(user: u, inputLength: seq.count, target: valTarget))
                seq.append(valTarget)
                if let testInput, testInput[u].items != seq {
                    throw DataError(file: testInputPath, line: u + 1, "test input disagrees with val input + val target")
                }
                test.append(EvaluationCase(user: u, inputLength: seq.count, target: target))
                seq.append(target)
            } else if let testInput {
                seq = testInput[u].items
                guard Array(seq.prefix(train[u].items.count)) == train[u].items else {
                    throw DataError(file: testInputPath, line: u + 1, "test input does not extend the train sequence")
                }
                test.append(EvaluationCase(user: u, inputLength: seq.count, target: target))
                seq.append(target)
            } else {
                report.usersWithUnknownTestInput += 1
            }
            maxItem = Swift.max(maxItem, seq.max() ?? 0, target)
            sequences.append(seq)
        }
        if testInput == nil {
            report.notes.append("test/input.txt absent: test restricted to the \(valInput.count) validation users whose test input is known")
        }
        let declared = try declaredItemCount()
        let itemCount = declared ?? Int(maxItem)
        if let declared, declared < Int(maxItem) {
            let line = testOutput.firstIndex { Int($0.items[0]) > declared }.map { $0 + 1 }
            throw DataError(file: directory + "/" + (line != nil ? "test/output.txt" : "dataset_stats.json"), line: line,
                            "item id \(maxItem) is above num_items \(declared) of dataset_stats.json")
        }
        // The vocabulary keeps one external id string per item (~64 bytes each with its index).
        try MemoryBudget.check(Double(itemCount) * 64, for: "a catalogue of \(itemCount) items (\(directory))")
        let vocabulary = try ItemVocabulary(externalIDs: (1...itemCount).map(String.init))
        var offsets = [0], items: [Int32] = []
        for (u, s) in sequences.enumerated() {
            for i in s where i < 1 || Int(i) > itemCount {
                throw DataError(file: directory, "user \(u + 1): item id \(i) outside 1…\(itemCount)")
            }
            items += s
            offsets.append(items.count)
        }
        let dataset = SequenceDataset(name: "ml1m-gsasrec", userIDs: (1...train.count).map(String.init), offsets: offsets,
                                      items: items, timestamps: nil, vocabulary: vocabulary,
                                      provenance: "source=\(directory); gsasrec-port split; item ids as given")
        return DatasetSplit(dataset: dataset, trainLengths: trainLengths, validation: validation, test: test, report: report,
                            protocolDescription: "gSASRec PyTorch port split: validation users train on all but 3 items, others on all but 2; "
                                + (testInput == nil ? "test on the validation users only (test inputs of the others unknown)" : "test on all users"))
    }

    /// Per-user lengths and item counts of the full dataset, including the items the split
    /// hides (known only by count): for Table 2.1.
    public func statistics() throws -> DatasetStatistics { try statistics(of: load()) }

    /// The same, for a split already loaded from this directory (reads only `test/output.txt`).
    public func statistics(of split: DatasetSplit) throws -> DatasetStatistics {
        let d = split.dataset
        var lengths: [Int] = []
        var counts = [Int](repeating: 0, count: d.vocabulary.itemCount)
        let tested = Set(split.test.map(\.user))
        let testOutput = try readLines("test/output.txt")
        guard testOutput.count == d.userCount, testOutput.allSatisfy({ d.vocabulary.isItem($0.items[0]) }) else {
            throw DataError(file: directory + "/test/output.txt", "changed since the split was loaded")
        }
        for u in 0..<d.userCount {
            for i in d.sequence(u) { counts[Int(i) - 1] += 1 }
            if tested.contains(u) {
                lengths.append(d.length(u))
            } else {
                // Unknown test input: the hidden second-to-last item and the (known) target.
                lengths.append(d.length(u) + 2)
                counts[Int(testOutput[u].items[0]) - 1] += 1
            }
        }
        let hiddenUsers = split.report.usersWithUnknownTestInput
        return DatasetStatistics(lengths: lengths, itemCounts: counts,
                                 note: hiddenUsers == 0 ? nil
                                     : "\(hiddenUsers) interactions (each such user's second-to-last item) are hidden by the split: counted in lengths, not in item counts")
    }

    private func declaredItemCount() throws -> Int? {
        let path = directory + "/dataset_stats.json"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let value = obj["num_items"] as? NSNumber,
              let n = Int(exactly: value.doubleValue) else {
            throw DataError(file: path, "expected a JSON object with an integer `num_items`")
        }
        guard n >= 1, n <= Self.maxItemID else {
            throw DataError(file: path, "num_items = \(n) is outside the allowed range [1, \(Self.maxItemID)]")
        }
        return n
    }

    /// The largest item id: ids, padding (0) and [MASK] (N + 1) are 32-bit.
    static let maxItemID = Int(Int32.max) - 2

    private struct Line { let items: [Int32] }

    private func readLines(_ relative: String) throws -> [Line] {
        let path = directory + "/" + relative
        let scanner = try LineScanner(path: path)
        var lines: [Line] = []
        var expected = 1
        try scanner.forEachLine(separator: nil, maxFields: 256) { line, f in
            guard line == expected else {
                throw DataError(file: path, line: expected, "blank line (one line per user expected)")
            }
            expected += 1
            var items: [Int32] = []
            items.reserveCapacity(f.count)
            for k in 0..<f.count {
                guard let v = TokenTable.plainInteger(f.bytes(k)), v >= 1, v <= Int64(Self.maxItemID) else {
                    throw DataError(file: path, line: line, "`\(f.string(k))` is not an item id in [1, \(Self.maxItemID)]")
                }
                items.append(Int32(v))
            }
            lines.append(Line(items: items))
        }
        return lines
    }
}
