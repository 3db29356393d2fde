import Foundation
import SeqRecCore
import SeqRecHarness
import Testing

/// True when a Slurm cluster answers (scripts/test starts one with scripts/slurm-local).
let slurmAnswers: Bool = {
    guard ProcessInfo.processInfo.environment["SLURM_CONF"] != nil else { return false }
    return (try? SlurmTestSupport.sh("sinfo -h")) != nil
}()

enum SlurmTestSupport {
    @discardableResult
    static func sh(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw HarnessError("`\(command)` failed") }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The Slurm executor against a real (single-node) Slurm: the same table as the local executor, a
/// cancelled task picked up by the next submission, submit-and-return then collect, two specs
/// at once, and the errors raised before anything is submitted.
@Suite(.serialized, .enabled(if: slurmAnswers && FileManager.default.isExecutableFile(atPath: ExecutorTests.binary),
                             "needs a running Slurm (scripts/slurm-local start; SLURM_CONF) and the built seqrec binary"))
struct SlurmTests {
    @Test func gsasrecPortThroughSlurmGivesTheLocalTableAndPicksUpACancelledTask() throws {
        let text = try String(contentsOfFile: repositoryRoot + "/experiments/specs/gsasrec-port.json", encoding: .utf8)
        let root = try temporaryRoot(["gsasrec-port": text]), local = try temporaryRoot(["gsasrec-port": text])
        let spec = try ExperimentSpec.load(path: root + "/experiments/specs/gsasrec-port.json")
        let r = try Reproduction(spec: spec, scale: "smoke", root: root)
        let slurm = try SlurmExecutor(executable: ExecutorTests.binary, cpusPerTask: 1, maxParallel: 2)
        let job = try #require(try slurm.submit(r, specArgument: "gsasrec-port", expectedMinutes: 1, log: { _ in }))
        #expect(job.keys.count == 3)
        // Cancel the last task once it runs (or while it waits).
        let clock = Stopwatch()
        while try !SlurmExecutor.tasks(of: job.id + "_2", format: "%T").contains("RUNNING") && clock.elapsedSeconds < 60 {
            Thread.sleep(forTimeInterval: 0.2)
        }
        try SlurmTestSupport.sh("scancel \(job.id)_2")
        let failures = try slurm.wait(for: job, r, poll: 0.5, progress: { _ in })
        #expect(failures.map(\.key) == [job.keys[2]])
        #expect(try r.pendingCells().map(\.key) == [job.keys[2]])
        // Submitting again runs only the cancelled cell (a training cell resumes from its run directory).
        let again = try #require(try slurm.submit(r, specArgument: "gsasrec-port", expectedMinutes: 1, log: { _ in }))
        #expect(again.keys == [job.keys[2]])
        #expect(try slurm.wait(for: again, r, poll: 0.5, progress: { _ in }).isEmpty)
        #expect(try slurm.submit(r, specArgument: "gsasrec-port", expectedMinutes: 1, log: { _ in }) == nil)
        // The local executor with the same threads per cell writes the same table.
        let lr = try Reproduction(spec: spec, scale: "smoke", root: local)
        #expect(try LocalExecutor(jobs: 2, executable: ExecutorTests.binary, threads: 2).run(lr, specArgument: "gsasrec-port", log: { _ in }).isEmpty)
        let a = try r.collect(), b = try lr.collect()
        #expect(ExecutorTests.means(a.report) == ExecutorTests.means(b.report) && !ExecutorTests.means(a.report).isEmpty)
        #expect(Self.withoutTimes(root, "gsasrec-port") == Self.withoutTimes(local, "gsasrec-port"))
    }

    /// A table's CSV lines without the timing column.
    static func withoutTimes(_ root: String, _ spec: String) -> [Substring] {
        let csv = (try? String(contentsOfFile: root + "/experiments/results/\(spec)/smoke/table.csv", encoding: .utf8)) ?? ""
        return csv.split(separator: "\n").filter { !$0.contains("time") && !$0.contains("seconds") }
    }

    @Test func twoSpecsSubmittedAtOnceThenCollected() throws {
        let memory = try String(contentsOfFile: repositoryRoot + "/experiments/specs/table-6.2.json", encoding: .utf8)
        let root = try temporaryRoot(["toy": trainingSpec, "table-6.2": memory])
        let toy = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/toy.json"), scale: "smoke", root: root)
        let mem = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/table-6.2.json"), scale: "smoke", root: root)
        let slurm = try SlurmExecutor(executable: ExecutorTests.binary, cpusPerTask: 1)
        let j1 = try #require(try slurm.submit(toy, specArgument: "toy", expectedMinutes: 1, log: { _ in }))
        let j2 = try #require(try slurm.submit(mem, specArgument: "table-6.2", expectedMinutes: 1, log: { _ in }))
        #expect(j1.id != j2.id)
        // While they are queued or running, a second submission of the same spec adds nothing.
        #expect(try slurm.submit(toy, specArgument: "toy", expectedMinutes: 1, log: { _ in })?.id == nil)
        #expect(try slurm.wait(for: j2, mem, poll: 0.5, progress: { _ in }).isEmpty)
        #expect(try slurm.wait(for: j1, toy, poll: 0.5, progress: { _ in }).isEmpty)
        #expect(try toy.collect().report.rows.count == 3 && mem.collect().report.rows.count == 3)
        // Table 6.2 through Slurm is the local executor's table.
        let local = try temporaryRoot(["table-6.2": memory])
        let lm = try Reproduction(spec: try ExperimentSpec.load(path: local + "/experiments/specs/table-6.2.json"), scale: "smoke", root: local)
        #expect(try LocalExecutor(jobs: 2, executable: ExecutorTests.binary, threads: 2).run(lm, specArgument: "table-6.2", log: { _ in }).isEmpty)
        _ = try lm.collect()
        #expect(Self.withoutTimes(root, "table-6.2") == Self.withoutTimes(local, "table-6.2") && !Self.withoutTimes(local, "table-6.2").isEmpty)
    }

    @Test func problemsAreReportedBeforeAnythingIsSubmitted() throws {
        let root = try temporaryRoot(["toy": trainingSpec])
        let r = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/toy.json"), scale: "smoke", root: root)
        let wrong = try SlurmExecutor(executable: ExecutorTests.binary, partition: "no-such-partition")
        #expect(throws: ConfigError.self) { _ = try wrong.submit(r, specArgument: "toy", expectedMinutes: 1, log: { _ in }) }
        #expect(!FileManager.default.fileExists(atPath: root + "/experiments/results/toy/smoke/slurm/jobs.tsv"))
        #expect(throws: HyperparameterError.self) { _ = try SlurmExecutor(executable: ExecutorTests.binary, cpusPerTask: 0) }
        // Without Slurm on PATH the command says so and submits nothing.
        let (status, _, message) = try ExecutorTests.seqrec(["reproduce", "toy", "--root", root, "--executor", "slurm", "--quiet"],
                                                            environment: ["PATH": "/nonexistent", "HOME": NSTemporaryDirectory()])
        #expect(status != 0 && message.contains("no Slurm here"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: root + "/experiments/results/toy/smoke/slurm/jobs.tsv"))
    }

    @Test func shardedScoringAsSlurmTasksEqualsOneProcess() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-score-\(UUID().uuidString)").path
        let text = try SlurmTestSupport.sh("'\(ExecutorTests.binary)' score --items 200000 --dim 64 --queries 2 --shards 2 --executor slurm "
                                           + "--cpus-per-task 1 --compare --work-dir '\(dir)'")
        #expect(text.contains("equals the one-process top-10 for every query"), "\(text)")
        #expect(FileManager.default.fileExists(atPath: dir + "/shard-1.json"))
    }

    @Test func submitWithoutWaitingThenCollect() throws {
        let memory = try String(contentsOfFile: repositoryRoot + "/experiments/specs/table-6.2.json", encoding: .utf8)
        let root = try temporaryRoot(["table-6.2": memory])
        let seqrec = "'\(ExecutorTests.binary)' reproduce table-6.2 --root '\(root)' --quiet"
        let submitted = try SlurmTestSupport.sh(seqrec + " --executor slurm --cpus-per-task 1 --no-wait")
        #expect(submitted.contains("submitted Slurm array job") && submitted.contains("--collect"), "\(submitted)")
        let job = try #require(submitted.split(separator: " ").drop { $0 != "job" }.dropFirst().first.map(String.init))
        let clock = Stopwatch()
        while try !SlurmExecutor.tasks(of: job, format: "%T").isEmpty && clock.elapsedSeconds < 120 { Thread.sleep(forTimeInterval: 0.2) }
        let table = try SlurmTestSupport.sh(seqrec + " --collect")
        #expect(table.contains("| Gowalla |") && table.contains("3 cells collected from the cache"), "\(table)")
    }
}
