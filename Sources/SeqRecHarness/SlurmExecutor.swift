import Foundation
import SeqRecCore

/// Runs a reproduction's pending cells as one Slurm array job: a task per cell, each running
/// `seqrec reproduce SPEC --scale S --cell KEY` in the shared results directory, which it writes
/// atomically (training cells resume from their run directory). Submitting again skips the cells
/// done and those still queued or running in an earlier job of this run (`slurm/jobs.tsv`); a
/// failed or cancelled task leaves no cell and is submitted again next time. No accounting
/// database is needed: states come from `squeue` and the status file each task writes.
public struct SlurmExecutor {
    public var executable: String
    public var partition: String?
    /// `--time`, e.g. `2:00:00` (default: from the spec's expected minutes, ×3, at least 10 min).
    public var time: String?
    public var cpusPerTask: Int
    /// `--mem`, e.g. `4G` (default: 1.5× the spec scale's `expectedMemoryGB`, else the partition's).
    public var memory: String?
    /// At most this many tasks at once (`--array=…%N`).
    public var maxParallel: Int?

    public init(executable: String, partition: String? = nil, time: String? = nil, cpusPerTask: Int = 2,
                memory: String? = nil, maxParallel: Int? = nil) throws {
        try HyperparameterError.checkAtLeast("cpus-per-task", cpusPerTask, 1)
        if let maxParallel { try HyperparameterError.checkAtLeast("max-parallel", maxParallel, 1) }
        self.executable = executable
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.maxParallel = maxParallel
    }

    /// A submitted array job: its id and the cells of its tasks, in task order.
    public struct Job: Sendable {
        public let id: String
        public let keys: [String]
    }

    /// Runs a Slurm client command. - Returns: its standard output.
    /// - Throws: `HarnessError` with its standard error when it fails or is missing.
    @discardableResult
    public static func client(_ command: String, _ arguments: [String]) throws -> String {
        guard let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map({ $0 + "/" + command }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HarnessError("no Slurm here: `\(command)` is not on PATH (scripts/slurm-local start runs a local one)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw HarnessError("`\(command) \(arguments.joined(separator: " "))` failed: "
                               + String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: o, as: UTF8.self)
    }

    /// `squeue` for one job; a job Slurm has already forgotten lists no task.
    public static func tasks(of job: String, format: String) throws -> [String] {
        do {
            return try client("squeue", ["-h", "-r", "-j", job, "-o", format]).split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } catch let e as HarnessError where e.description.contains("Invalid job id") {
            return []
        }
    }

    /// The Slurm directory of a run: job scripts, key lists and the job ledger.
    static func directory(_ r: Reproduction) -> String { r.outputDirectory + "/slurm" }

    /// Keys in jobs of this run that Slurm still lists (queued or running).
    public func activeKeys(_ r: Reproduction) throws -> Set<String> {
        let ledger = Self.directory(r) + "/jobs.tsv"
        guard let text = try? String(contentsOfFile: ledger, encoding: .utf8) else { return [] }
        var keys: Set<String> = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 2, let list = try? String(contentsOfFile: f[1], encoding: .utf8) else { continue }
            let cells = list.split(separator: "\n").map(String.init)
            for t in try Self.tasks(of: f[0], format: "%K").compactMap({ Int($0) }) where t < cells.count {   // array indices still listed
                keys.insert(cells[t])
            }
        }
        return keys
    }

    /// Checks, before submitting anything, that Slurm answers, the partition exists and the tasks
    /// see this results directory (a marker file written here must be visible to a probe task).
    public func checkCluster(_ r: Reproduction) throws {
        let partitions = try Self.client("sinfo", ["-h", "-o", "%R"]).split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }
        if let partition, !partitions.contains(partition) {
            throw ConfigError.unknownComponent(family: "Slurm partition", id: partition, valid: partitions)
        }
        let dir = Self.directory(r)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let marker = dir + "/shared-\(UUID().uuidString)"
        try Data().write(to: URL(fileURLWithPath: marker))
        defer { try? FileManager.default.removeItem(atPath: marker) }
        var args = ["--wait", "--quiet", "-J", "seqrec-probe", "-c", "1", "-t", "5", "-o", "/dev/null",
                    "--wrap", "test -f '\(marker)'"]
        if let partition { args += ["-p", partition] }
        do { try Self.client("sbatch", args) } catch {
            throw HarnessError("the Slurm tasks do not see the results directory \(r.outputDirectory) (a probe task found no "
                               + "marker file there): run from a directory shared with the compute nodes. (\(error))")
        }
    }

    /// Submits the cells not done and not in an active job of this run.
    /// - Returns: the job, or nil when there is nothing to submit.
    /// - Parameters:
    ///   - expectedMinutes, expectedMemoryGB: the spec scale's, for the default `--time` and `--mem`.
    public func submit(_ r: Reproduction, specArgument: String, expectedMinutes: Double?, expectedMemoryGB: Double? = nil,
                       log: (String) -> Void) throws -> Job? {
        let active = try activeKeys(r)
        let pending = try r.pendingCells().filter { !active.contains($0.key) }
        if !active.isEmpty { log("\(active.count) cells are queued or running in earlier jobs of this run") }
        guard !pending.isEmpty else { return nil }
        try checkCluster(r)
        let dir = Self.directory(r), logs = r.outputDirectory + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let tag = "\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.prefix(8))"
        let keys = dir + "/cells-\(tag).txt", script = dir + "/task-\(tag).sh"
        try AtomicFile.write(Data(pending.map(\.key).joined(separator: "\n").appending("\n").utf8), to: keys)
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let body = """
        #!/bin/bash
        # One cell of `seqrec reproduce \(specArgument) --scale \(r.scaleName)` (written by the Slurm executor).
        key=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" \(quoted(keys)))
        export SEQREC_THREADS="${SLURM_CPUS_PER_TASK:-1}"
        \(quoted(executable)) reproduce \(quoted(specArgument)) --scale \(quoted(r.scaleName)) --root \(quoted(r.root)) --cell "$key" --progress-interval 60
        status=$?
        echo "$status" > \(quoted(logs))/"$key.status"
        exit "$status"

        """
        try AtomicFile.write(Data(body.utf8), to: script)
        let minutes = Swift.max(10, Int(((expectedMinutes ?? 10) * 3).rounded(.up)))
        let id = try Self.submitArray(name: "seqrec-\(r.spec.id)-\(r.scaleName)", script: script, tasks: pending.count,
                                      cpusPerTask: cpusPerTask, output: logs + "/slurm-%A_%a.out", partition: partition,
                                      time: time ?? String(minutes),
                                      memory: memory ?? expectedMemoryGB.map { "\(Int(($0 * 1.5).rounded(.up)))G" },
                                      maxParallel: maxParallel)
        let ledger = dir + "/jobs.tsv"
        let previous = (try? String(contentsOfFile: ledger, encoding: .utf8)) ?? ""
        try AtomicFile.write(Data((previous + "\(id)\t\(keys)\n").utf8), to: ledger)
        log("submitted array job \(id): \(pending.count) tasks of \(cpusPerTask) CPU(s); logs in \(logs)")
        return Job(id: id, keys: pending.map(\.key))
    }

    /// Submits `script` as an array job of `tasks` tasks (`SLURM_ARRAY_TASK_ID` 0…tasks−1).
    /// - Returns: the job id.
    public static func submitArray(name: String, script: String, tasks: Int, cpusPerTask: Int, output: String,
                                   partition: String? = nil, time: String? = nil, memory: String? = nil,
                                   maxParallel: Int? = nil) throws -> String {
        var args = ["--parsable", "-J", name, "-c", String(cpusPerTask),
                    "--array=0-\(tasks - 1)" + (maxParallel.map { "%\($0)" } ?? ""), "-o", output]
        if let partition { args += ["-p", partition] }
        if let time { args += ["-t", time] }
        if let memory { args += ["--mem", memory] }
        let id = try client("sbatch", args + [script]).split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard !id.isEmpty else { throw HarnessError("sbatch printed no job id") }
        return id
    }

    /// Waits until no task of `job` is queued or running, showing progress.
    /// - Returns: the cells whose task ended without writing them (failed or cancelled), with their logs.
    public func wait(for job: Job, _ r: Reproduction, poll: Double = 2, progress: (String) -> Void) throws -> [LocalExecutor.Failure] {
        let cells = Dictionary(uniqueKeysWithValues: try r.plannedCells().map { ($0.key, $0) })
        var last = ""
        while true {
            let states = try Self.tasks(of: job.id, format: "%T")
            let queued = states.filter { $0 == "PENDING" || $0 == "CONFIGURING" }.count
            let running = states.count - queued
            let done = job.keys.filter { cells[$0]?.isComputed == true }.count
            let line = "job \(job.id): \(queued) queued, \(running) running, \(done) done, \(job.keys.count - done - states.count) ended without a result"
            if line != last { progress(line); last = line }
            if states.isEmpty { break }
            Thread.sleep(forTimeInterval: poll)
        }
        let logs = r.outputDirectory + "/logs"
        return job.keys.enumerated().compactMap { (t, key) in
            guard cells[key]?.isComputed != true else { return nil }
            let status = (try? String(contentsOfFile: logs + "/\(key).status", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return LocalExecutor.Failure(name: cells[key]?.name ?? key, key: key, status: status ?? -1,
                                         log: logs + "/slurm-\(job.id)_\(t).out")
        }
    }
}
