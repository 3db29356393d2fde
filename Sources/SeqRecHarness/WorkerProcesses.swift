import Foundation

/// Child processes of one executable, at most `jobs` at once, each writing its output to its own
/// log file: the pool behind the local executor and sharded scoring.
public enum WorkerProcesses {
    /// One process: its arguments and where its standard output and error go.
    public struct Task: Sendable {
        public let arguments: [String]
        public let log: String
        public init(arguments: [String], log: String) {
            self.arguments = arguments
            self.log = log
        }
    }

    /// Runs every task, starting the next as one ends.
    /// - Parameters:
    ///   - started: told (task index, pid) as each starts.
    ///   - finished: told (task index, status) as each ends; status < 0 = killed by that signal.
    /// - Returns: every task's status, in task order.
    /// - Throws: `HarnessError` when a process cannot be started.
    @discardableResult
    public static func run(executable: String, tasks: [Task], jobs: Int, environment: [String: String],
                           started: (Int, Int32) -> Void = { _, _ in }, finished: (Int, Int32) -> Void = { _, _ in }) throws -> [Int32] {
        let ended = DispatchSemaphore(value: 0)
        var statuses = [Int32](repeating: 0, count: tasks.count)
        var next = 0
        var running: [Int: Process] = [:]
        while next < tasks.count || !running.isEmpty {
            while running.count < Swift.max(jobs, 1) && next < tasks.count {
                let task = tasks[next]
                let p = Process()
                p.executableURL = URL(fileURLWithPath: executable)
                p.arguments = task.arguments
                p.environment = environment
                _ = FileManager.default.createFile(atPath: task.log, contents: nil)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: task.log))
                p.standardOutput = handle
                p.standardError = handle
                p.standardInput = FileHandle.nullDevice
                p.terminationHandler = { _ in ended.signal() }
                do { try p.run() } catch {
                    throw HarnessError("cannot start the worker \(executable): \(error)")
                }
                try? handle.close()
                running[next] = p
                started(next, p.processIdentifier)
                next += 1
            }
            ended.wait()
            for (i, p) in running.sorted(by: { $0.key < $1.key }) where !p.isRunning {
                running[i] = nil
                statuses[i] = p.terminationReason == .exit ? p.terminationStatus : -p.terminationStatus
                finished(i, statuses[i])
            }
        }
        return statuses
    }
}
