import Foundation
import SeqRecCore
import SeqRecData
import Testing

/// Regression tests of the crash and silent-wrong-result classes the mutation fuzzer found:
/// each input now loads correctly or is an error naming the file (and line).
@Suite struct HardeningTests {
    /// A gSASRec-port split directory with the given files over a small valid one.
    func splitDirectory(_ overrides: [String: String?]) -> String {
        var files: [String: String?] = ["train/input.txt": "1 2\n3 4 5\n", "val/input.txt": "1 2 6\n", "val/output.txt": "7\n",
                                        "test/output.txt": "8\n9\n", "dataset_stats.json": #"{"num_items": 10}"#]
        for (k, v) in overrides { files[k] = v }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-split-\(UUID().uuidString)").path
        for case let (name, text?) in files {
            try! FileManager.default.createDirectory(atPath: dir + "/" + (name as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            try! text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "loaded" } catch { return "\(error)" }
    }

    @Test func gsasrecSplitRejectsBadItemCountsAndBlankFiles() throws {
        #expect(try GSASRecPortSplit(directory: splitDirectory([:])).load().dataset.vocabulary.itemCount == 10)
        for n in ["0", "-5", "1099511627776", "2.5"] {
            let dir = splitDirectory(["dataset_stats.json": "{\"num_items\": \(n)}"])
            #expect(message { try GSASRecPortSplit(directory: dir).load() }.contains(dir + "/dataset_stats.json:"), "num_items \(n)")
        }
        let blank = splitDirectory(["val/output.txt": "  \n\t\n"])
        #expect(message { try GSASRecPortSplit(directory: blank).load() } == "\(blank)/val/output.txt: the file holds only blank lines")
        // A test target of a user whose test input is unknown, above num_items (was: index out of range in statistics).
        let above = splitDirectory(["test/output.txt": "8\n11\n"])
        #expect(message { try DatasetSource.path(above, format: "gsasrec-split", name: "x").load() }
                    == "\(above)/test/output.txt:2: item id 11 is above num_items 10 of dataset_stats.json")
        // Without dataset_stats.json, an absurd item id would need a vocabulary larger than memory.
        let absurd = splitDirectory(["dataset_stats.json": nil, "test/output.txt": "8\n2147483645\n"])
        let text = message { try GSASRecPortSplit(directory: absurd).load() }
        #expect(text.contains("a catalogue of 2147483645 items") && text.contains("needs about"), "\(text)")
    }

    @Test func delimitedColumnsBeyondTheFieldsAndEmptySeparatorsAreErrors() throws {
        let path = tempFile("1,10\n1,11\n", name: "d.csv")
        for column in [2, 5, 1_000_000] {
            var o = FormatOptions()
            o.hasHeader = false
            o.user = .index(0)
            o.item = .index(column)
            #expect(message { try InteractionFormats.make("delimited", options: o).read(path: path) }
                        == "\(path):1: item column \(column) is beyond the 2 fields of the line (separator `,`; columns are 0-based)")
        }
        var empty = FormatOptions()
        empty.separator = ""
        #expect(message { try InteractionFormats.make("delimited", options: empty).read(path: path) }.contains("`separator`: must not be empty"))
    }

    @Test func nonFiniteTimestampsAreErrorsNamingTheLine() throws {
        for bad in ["nan", "inf", "-Infinity", "1e999"] {
            let path = tempFile("1::10::5::100\n1::11::4::\(bad)\n", name: "ratings.dat")
            #expect(message { try GroupLensFormat().read(path: path) } == "\(path):2: timestamp `\(bad)` is not finite (the chronological order would be undefined)")
        }
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstID() throws {
        let path = tempFile("\u{FEFF}u1 10\r\nu1 11\r\nu2 10\r\n")
        let log = try UserItemFormat().read(path: path)
        #expect(log.users.tokens == ["u1", "u2"] && log.items.tokens == ["10", "11"])
        let csv = tempFile("\u{FEFF}user,item\nu1,10\n", name: "h.csv")
        #expect(try DelimitedFormat(user: .name("user"), item: .name("item")).read(path: csv).users.tokens == ["u1"])
    }

    @Test func longValuesAreCutInMessages() throws {
        let field = String(repeating: "x", count: 1_000_000)
        let path = tempFile("1 2\n1 \(field) 3\n")
        let text = message { try UserItemFormat().read(path: path) }
        #expect(text.hasPrefix("\(path):2: expected 2 fields"))
        let huge = tempFile("1::\(field)::5::9\n", name: "ratings.dat")
        let cut = message { try GroupLensFormat().read(path: huge).count }
        #expect(cut == "loaded" || cut.utf8.count < 1_000)
        let e = DataError(file: "f", line: 1, "value `\(field)` is bad")
        #expect(e.description.utf8.count < 700 && e.description.hasSuffix("more bytes)"))
    }

    @Test func staleTemporaryFilesAreRemovedAndLiveOnesKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-tmp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let dead = dir + "/.model.safetensors.tmp-2147483000-ABC", live = dir + "/.log.jsonl.tmp-\(getpid())-DEF"
        for p in [dead, live, dir + "/result.json"] { FileManager.default.createFile(atPath: p, contents: Data("x".utf8)) }
        #expect(AtomicFile.removeStaleTemporaries(in: dir) == 1)
        #expect(!FileManager.default.fileExists(atPath: dead) && FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: dir + "/result.json"))
    }

    @Test func aRunDirectoryIsLockedWhileInUse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-lock-\(UUID().uuidString)").path
        let first = try RunLock(directory: dir)
        let second = message { try RunLock(directory: dir) }
        #expect(second.contains("in use by another process (pid \(getpid())"), "\(second)")
        first.release()
        // A lock file left by a killed process holds no flock: it is stale and taken over.
        try "12345\n".write(toFile: dir + "/" + RunLock.fileName, atomically: true, encoding: .utf8)
        let again = try RunLock(directory: dir)
        again.release()
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + RunLock.fileName))
    }

    @Test func writeFailuresSayWhatHappened() throws {
        let file = tempFile("x")
        let text = message { try AtomicFile.write("y", to: file + "/inside.json") }
        #expect(text.hasPrefix(file) && text.contains("cannot create the directory: ") && !text.contains("Code="), "\(text)")
    }

    @Test func planningMoreMemoryThanTheMachineHasIsAnError() {
        #expect(throws: MemoryBudgetError.self) { try MemoryBudget.check(1e15, for: "test") }
        #expect(throws: Never.self) { try MemoryBudget.check(1e6, for: "test") }
    }
}
