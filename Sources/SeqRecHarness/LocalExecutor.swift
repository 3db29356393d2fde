import Foundation
import SeqRecCore

/// A harness run that cannot go on (missing cells, failed workers), with what to do about it.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Runs a reproduction's pending cells in `jobs` worker processes at once — each
/// `seqrec reproduce SPEC --scale S --cell KEY`, with the thread budget split between them — so a
/// 16-core workstation runs a grid ~16× sooner. Workers write their cells atomically into the
/// shared cache (training cells resume from their run directory), so a failed or interrupted
/// worker loses only its own cell, which the next run picks up; the table is then collected
/// from the cache exactly as a sequential run writes it.
public struct LocalExecutor {
    /// Worker processes at once.
    public var jobs: Int
    /// The `seqrec` binary the workers run.
    public var executable: String
    /// Threads per worker (`SEQREC_THREADS`).
    public var threadsPerJob: Int

    /// - Parameter threads: the budget to split (default: this process's).
    public init(jobs: Int, executable: String, threads: Int = ThreadBudget.threads) throws {
        try HyperparameterError.checkAtLeast("jobs", jobs, 1)
        self.jobs = jobs
        self.executable = executable
        threadsPerJob = Swift.max(1, threads / jobs)
    }

    /// The path of the running executable (`/proc/self/exe`), for workers of the same binary.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// A cell whose worker failed: its name, key, exit status and log.
    public struct Failure: Sendable {
        public let name: String
        public let key: String
        public let status: Int32
        public let log: String
    }

    /// Runs every pending cell of `reproduction` (named `specArgument` on the workers' command line).
    /// - Returns: the cells whose worker failed (the others are in the cache).
    public func run(_ reproduction: Reproduction, specArgument: String, log: @escaping (String) -> Void) throws -> [Failure] {
        let planned = try reproduction.plannedCells()
        let pending = planned.filter { !$0.isComputed }
        let total = planned.count
        log("\(total - pending.count) of \(total) cells cached; \(pending.count) to compute in \(Swift.min(jobs, Swift.max(pending.count, 1))) "
            + "worker process(es) of \(threadsPerJob) thread(s)")
        let logs = reproduction.outputDirectory + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let tasks = pending.map { c in
            WorkerProcesses.Task(arguments: ["reproduce", specArgument, "--scale", reproduction.scaleName, "--root", reproduction.root,
                                             "--cell", c.key, "--progress-interval", "60"],
                                 log: logs + "/" + c.key + ".log")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["SEQREC_THREADS"] = String(threadsPerJob)
        var failures: [Failure] = []
        var done = 0
        try WorkerProcesses.run(executable: executable, tasks: tasks, jobs: jobs, environment: environment, started: { i, pid in
            log("[\(pending[i].index)/\(total)] \(pending[i].name): started (pid \(pid), log \(tasks[i].log))")
        }, finished: { i, status in
            let c = pending[i]
            done += 1
            if status == 0 {
                log("[\(c.index)/\(total)] \(c.name): done (\(done)/\(pending.count))")
            } else {
                failures.append(Failure(name: c.name, key: c.key, status: status, log: tasks[i].log))
                log("[\(c.index)/\(total)] \(c.name): FAILED (\(status > 0 ? "exit \(status)" : "signal \(-status)")); log \(tasks[i].log)")
            }
        })
        return failures
    }
}
