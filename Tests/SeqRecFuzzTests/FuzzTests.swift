import Foundation
import SeqRecCore
import SeqRecData
import SeqRecHarness
import SeqRecModels
import Testing

/// Every parser of the tool, fed seeded mutations of small valid files: each case must either
/// load or throw an error that says what is wrong (one of the tool's described error types, a
/// bounded message naming the file) — never trap, never hang (a watchdog ends the process with
/// the case's description when one takes longer than `FuzzRun.caseLimit`).
///
/// `SEQREC_FUZZ_CASES` (per target) and `SEQREC_FUZZ_SEED` run longer or other campaigns.
@Suite struct FuzzTests {
    @Test func everyParserLoadsOrRejectsEveryMutatedFileWithADescribedError() throws {
        let env = ProcessInfo.processInfo.environment
        let perTarget = env["SEQREC_FUZZ_CASES"].flatMap(Int.init) ?? 640
        let seed = env["SEQREC_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_206
        var run = try FuzzRun(seed: seed)
        let report = try run.campaign(casesPerTarget: perTarget)
        print(report.summary)
        #expect(report.cases >= 11 * perTarget)
        #expect(report.undescribed.isEmpty, "errors that do not describe the problem:\n\(report.undescribed.prefix(20).joined(separator: "\n"))")
        // The campaign exercises both outcomes for every target (a fuzzer that only ever loads,
        // or only ever rejects, is not testing the parser).
        for (target, counts) in report.perTarget {
            #expect(counts.loaded > 0 && counts.rejected > 0, "\(target): \(counts.loaded) loaded, \(counts.rejected) rejected")
        }
    }

    @Test func theMutatorIsSeededAndCoversEveryClass() {
        var a = Mutator(seed: 5), b = Mutator(seed: 5)
        let input = Array(FuzzCorpus.userItem.utf8)
        for _ in 0..<50 { #expect(a.mutate(input).bytes == b.mutate(input).bytes) }
        var seen = Set<Mutator.Mutation>()
        var m = Mutator(seed: 9)
        for _ in 0..<400 { seen.formUnion(m.mutate(input).mutations) }
        #expect(seen == Set(Mutator.Mutation.allCases))
    }
}

/// One fuzz campaign: targets, the watchdog and the tally.
struct FuzzRun {
    /// A case slower than this ends the process (a hang).
    static let caseLimit = 10.0

    struct Target {
        let name: String
        /// Relative path → content of the valid input.
        let files: [String: [UInt8]]
        /// Parses the input in `directory`; returns normally when it loaded.
        let load: (String) throws -> Void
    }

    struct Report {
        var cases = 0
        var perTarget: [String: (loaded: Int, rejected: Int)] = [:]
        var messages = Set<String>()
        var undescribed: [String] = []
        var slowest = (seconds: 0.0, what: "")
        var seconds = 0.0
        var summary: String {
            let loaded = perTarget.values.map(\.loaded).reduce(0, +), rejected = perTarget.values.map(\.rejected).reduce(0, +)
            return "fuzz: \(cases) cases in \(String(format: "%.1f", seconds)) s — \(loaded) loaded, \(rejected) rejected with a described error, "
                + "\(undescribed.count) undescribed, 0 traps, 0 hangs; \(messages.count) distinct error classes; slowest case "
                + "\(String(format: "%.3f", slowest.seconds)) s (\(slowest.what))\n"
                + perTarget.keys.sorted().map { "  \($0): \(perTarget[$0]!.loaded) loaded, \(perTarget[$0]!.rejected) rejected" }.joined(separator: "\n")
        }
    }

    var mutator: Mutator
    let targets: [Target]
    let watchdog = Watchdog(limit: FuzzRun.caseLimit)

    init(seed: UInt64) throws {
        mutator = Mutator(seed: seed)
        func file(_ name: String, _ text: String, format: String, options: FormatOptions = FormatOptions(), minUser: Int = 0) -> Target {
            Target(name: format + (options.hasHeader ? "" : " (no header)") + " " + name, files: [name: Array(text.utf8)]) { dir in
                var source = try DatasetSource.path(dir + "/" + name, format: format, options: options, name: "fuzz")
                source.minUserInteractions = minUser
                source.validationUsers = 5
                _ = try source.load()
            }
        }
        var semicolon = FormatOptions()
        semicolon.separator = ";"
        semicolon.timestamp = .name("time")
        semicolon.requireChronological = true
        semicolon.user = .name("user")
        semicolon.item = .name("item")
        var indexed = FormatOptions()
        indexed.separator = "|"
        indexed.hasHeader = false
        indexed.user = .index(1)
        indexed.item = .index(2)
        indexed.timestamp = .index(0)
        let split = FuzzCorpus.gsasrecSplit.mapValues { Array($0.utf8) }
        let run = try FuzzCorpus.resumableRun()
        targets = [
            file("data.txt", FuzzCorpus.userItem, format: UserItemFormat.id),
            file("ratings.dat", FuzzCorpus.groupLensDat, format: GroupLensFormat.id, minUser: 3),
            file("ratings.csv", FuzzCorpus.groupLensCSV, format: GroupLensFormat.id),
            file("data.inter", FuzzCorpus.recBole, format: RecBoleInterFormat.id),
            file("data.csv", FuzzCorpus.delimitedHeader, format: DelimitedFormat.id, options: semicolon),
            file("data.psv", FuzzCorpus.delimitedNoHeader, format: DelimitedFormat.id, options: indexed),
            Target(name: "gsasrec-split", files: split) { dir in
                _ = try DatasetSource.path(dir, format: DatasetSource.gsasrecSplitFormat, name: "fuzz").load()
            },
            Target(name: "run config", files: ["a.json": Array(FuzzCorpus.runConfig.utf8), "b.json": Array(FuzzCorpus.bertConfig.utf8)]) { dir in
                for name in ["a.json", "b.json"] {
                    let config = try RunConfig.load(path: dir + "/" + name)
                    try config.validate(catalogueSize: 30)
                    let settings = try config.modelSettings
                    if settings.parameterEstimate(vocabularySize: 32) < 2e6 { _ = try Models.make(config.model, vocabularySize: 32) }
                }
            },
            Target(name: "model checkpoint", files: ["model.safetensors": [UInt8](try FuzzCorpus.checkpoint())]) { dir in
                _ = try ModelCheckpoint.load(path: dir + "/model.safetensors")
            },
            Target(name: "experiment spec", files: ["spec.json": Array(FuzzCorpus.experimentSpec.utf8)]) { dir in
                _ = try ExperimentSpec.load(path: dir + "/spec.json")
            },
            Target(name: "training state (--resume)", files: run.files) { dir in
                // Resumes one more epoch from the (mutated) state, as `seqrec train --resume` does.
                _ = try TrainingRun(config: run.config, split: run.split, dataset: "fuzz", directory: dir).run(resume: true)
            },
        ]
    }

    /// Runs `casesPerTarget` mutated cases of every target (round robin).
    mutating func campaign(casesPerTarget: Int) throws -> Report {
        var report = Report()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-fuzz-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = Stopwatch()
        for target in targets { try check(target, root: root, report: &report, mutate: false) }
        for _ in 0..<casesPerTarget {
            for target in targets { try check(target, root: root, report: &report, mutate: true) }
        }
        watchdog.stop()
        report.seconds = clock.elapsedSeconds
        return report
    }

    private mutating func check(_ target: Target, root: String, report: inout Report, mutate: Bool) throws {
        let dir = root + "/case"
        try? FileManager.default.removeItem(atPath: dir)
        var files = target.files
        var what = target.name + ": valid seed"
        if mutate {
            let name = mutator.pick(files.keys.sorted())
            let (bytes, mutations) = mutator.mutate(files[name]!)
            files[name] = bytes
            what = "\(target.name): \(name) ← \(mutations.map(\.rawValue).joined(separator: " + "))"
            if files.count > 1 && mutator.below(20) == 0 { files.removeValue(forKey: mutator.pick(files.keys.sorted().filter { $0 != name })) }
        }
        for (name, bytes) in files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }
        report.cases += 1
        watchdog.begin(what)
        let clock = Stopwatch()
        var counts = report.perTarget[target.name] ?? (0, 0)
        do {
            try target.load(dir)
            counts.loaded += 1
        } catch {
            counts.rejected += 1
            if let problem = FuzzRun.undescribed(error, directory: dir) {
                report.undescribed.append("\(what): \(problem)")
            } else {
                report.messages.insert(FuzzRun.errorClass(error))
            }
            if !mutate { report.undescribed.append("\(what): the valid seed was rejected: \(error)") }
        }
        let seconds = clock.elapsedSeconds
        watchdog.end()
        if seconds > report.slowest.seconds { report.slowest = (seconds, what) }
        report.perTarget[target.name] = counts
    }

    /// Why `error` does not describe the problem, or nil when it does.
    static func undescribed(_ error: Error, directory: String) -> String? {
        let text: String
        switch error {
        case let e as DataError: text = e.description
        case let e as FileError: text = e.description
        case let e as ConfigFileError: text = e.description
        case let e as ConfigError: text = e.description
        case let e as HyperparameterError: text = e.description
        case let e as MemoryBudgetError: text = e.description
        case let e as TrainingDiverged: text = e.description
        default: return "an undescribed \(type(of: error)): \(String(describing: error).abbreviated(to: 300))"
        }
        if text.utf8.count > 2_000 { return "a \(text.utf8.count)-byte message" }
        if error is DataError || error is FileError || error is ConfigFileError, !text.contains(directory) {
            return "the message does not name the file: \(text.abbreviated(to: 300))"
        }
        return nil
    }

    /// The message with numbers and paths blanked: how many kinds of problem were reported.
    static func errorClass(_ error: Error) -> String {
        String(describing: error).split(separator: ":").dropFirst().joined(separator: ":")
            .replacingOccurrences(of: "[0-9]+", with: "#", options: .regularExpression)
            .replacingOccurrences(of: "`[^`]*`", with: "`…`", options: .regularExpression)
            .prefix(80).description
    }
}

/// Ends the process, naming the case, when a case runs longer than `limit` seconds.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (what: String, start: Date)?
    private var stopped = false
    let limit: Double

    init(limit: Double) {
        self.limit = limit
        Thread.detachNewThread { [self] in loop() }
    }

    func begin(_ what: String) { lock.withLock { current = (what, Date()) } }
    func end() { lock.withLock { current = nil } }
    func stop() { lock.withLock { stopped = true } }

    private func loop() {
        while true {
            Thread.sleep(forTimeInterval: 0.05)
            let (c, done) = lock.withLock { (current, stopped) }
            if done { return }
            if let c, Date().timeIntervalSince(c.start) > limit {
                FileHandle.standardError.write(Data("fuzz: HANG — a case ran over \(limit) s: \(c.what)\n".utf8))
                exit(70)
            }
        }
    }
}
