import Foundation
import SeqRecCore
import SeqRecHarness
import Testing

/// Running a spec cell by cell (what executors' workers do) and collecting the table, and the
/// local executor's worker processes.
@Suite(.serialized) struct ExecutorTests {
    static let binary = repositoryRoot + "/.build/release/seqrec"

    /// Runs the built `seqrec` with `arguments`: its exit status, standard output and error.
    static func seqrec(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (status: Int32, output: String, error: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes while it runs (a full pipe would block it).
        final class Box: @unchecked Sendable { var data = Data() }
        let errors = Box(), group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        group.wait()
        return (p.terminationStatus, output, String(decoding: errors.data, as: UTF8.self))
    }

    /// Every metric mean of every row except timings, for comparing tables.
    static func means(_ r: Report) -> [String: Double] {
        var out: [String: Double] = [:]
        for row in r.rows { for (m, s) in row.metrics where !m.contains("time") && !m.contains("seconds") { out[row.id + " " + m] = s.mean } }
        return out
    }

    @Test func cellsRunOneByOneAndCollectedGiveTheSequentialTable() throws {
        let a = try temporaryRoot(["toy": trainingSpec]), b = try temporaryRoot(["toy": trainingSpec])
        let spec = try ExperimentSpec.load(path: a + "/experiments/specs/toy.json")
        let sequential = try Reproduction(spec: spec, scale: "smoke", root: a).run()
        let r = try Reproduction(spec: spec, scale: "smoke", root: b)
        // Nothing computed yet: collecting is an error naming what is missing, unless allowed.
        #expect(throws: HarnessError.self) { _ = try r.collect() }
        let partial = try r.collect(allowMissing: true)
        #expect(partial.report.rows.allSatisfy { $0.skipped == "not computed yet" })
        let pending = try r.pendingCells()
        #expect(pending.count == 6 && Set(pending.map(\.key)).count == 6)
        for c in pending { #expect(try r.runCell(key: c.key)) }
        #expect(try !r.runCell(key: pending[0].key), "already in the cache")
        #expect(try r.runCell(key: String(pending[1].key.prefix(10))) == false, "a unique prefix names the cell")
        #expect(throws: ConfigError.self) { try r.runCell(key: "0123456789abcdef") }
        let collected = try r.collect()
        #expect(Self.means(collected.report) == Self.means(sequential.report) && !Self.means(collected.report).isEmpty)
        #expect(collected.report.checks.map(\.passed) == sequential.report.checks.map(\.passed))
        #expect(try r.pendingCells().isEmpty)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ExecutorTests.binary), "needs the built seqrec binary (scripts/test builds it)"))
    func localExecutorRunsCellsInWorkersAndRetriesFailedOnes() throws {
        let root = try temporaryRoot(["toy": trainingSpec]), reference = try temporaryRoot(["toy": trainingSpec])
        let spec = try ExperimentSpec.load(path: root + "/experiments/specs/toy.json")
        let r = try Reproduction(spec: spec, scale: "smoke", root: root)
        var lines: [String] = []
        // Workers that fail: every cell is reported with its log, nothing is written.
        let failing = try LocalExecutor(jobs: 2, executable: "/bin/false", threads: 2)
        let failures = try failing.run(r, specArgument: "toy", log: { lines.append($0) })
        #expect(failures.count == 6 && failures.allSatisfy { FileManager.default.fileExists(atPath: $0.log) && $0.status == 1 })
        #expect(try r.pendingCells().count == 6 && lines.contains { $0.contains("FAILED") })
        // The real binary: two workers of one thread each; the rerun computes every cell.
        let executor = try LocalExecutor(jobs: 2, executable: Self.binary, threads: 2)
        #expect(executor.threadsPerJob == 1)
        #expect(try executor.run(r, specArgument: "toy", log: { _ in }).isEmpty)
        #expect(try r.pendingCells().isEmpty)
        let collected = try r.collect()
        // The same table as a sequential run with the same threads per cell.
        let reproduced = try Self.seqrec(["reproduce", "toy", "--scale", "smoke", "--root", reference, "--quiet", "--allow-failed-checks"],
                                         environment: ProcessInfo.processInfo.environment.merging(["SEQREC_THREADS": "1"]) { $1 })
        #expect(reproduced.status == 0)
        let sequential = try Reproduction(spec: spec, scale: "smoke", root: reference).collect()
        #expect(Self.means(collected.report) == Self.means(sequential.report) && !Self.means(sequential.report).isEmpty)
        // Nothing left to do: a second executor run starts no worker.
        var again: [String] = []
        #expect(try executor.run(r, specArgument: "toy", log: { again.append($0) }).isEmpty)
        #expect(!again.contains { $0.contains("started") })
        #expect(throws: HyperparameterError.self) { _ = try LocalExecutor(jobs: 0, executable: Self.binary) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ExecutorTests.binary), "needs the built seqrec binary (scripts/test builds it)"))
    func shardedScoringInLocalProcessesEqualsOneProcess() throws {
        let (status, text, _) = try Self.seqrec(["score", "--items", "300000", "--splits", "8", "--dim", "64", "--queries", "3", "--top", "20",
                                                 "--shards", "3", "--jobs", "2", "--compare"])
        #expect(status == 0 && text.contains("equals the one-process top-20 for every query"), "\(text)")
        #expect(text.contains("| 2 [200000, 300000) | 100000 |"))
    }
}
