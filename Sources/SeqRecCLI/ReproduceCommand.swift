import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecHarness

/// `seqrec reproduce`: regenerates a thesis table or figure from its spec in
/// `experiments/specs/`, beside the published numbers, at smoke, reduced or full scale.
public struct ReproduceCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce a thesis table or figure from its spec (cached, resumable), with the published values beside ours.")

    @Argument(help: "Spec id (file in experiments/specs/) or path to a spec JSON.")
    var spec: String?

    @Option(help: "smoke | reduced | full")
    var scale = "smoke"

    @Option(parsing: .upToNextOption, help: "Only rows whose id starts with one of these.")
    var only: [String] = []

    @Flag(help: "List every spec: what it needs, its scales and expected run times.")
    var list = false

    @Option(help: "Repository root (dataset paths and experiments/ are relative to it).")
    var root = FileManager.default.currentDirectoryPath

    @Flag(help: "No progress on standard error.")
    var quiet = false

    @Option(help: "Seconds between progress lines when standard error is not a terminal (on a terminal one line is updated in place).")
    var progressInterval = 30.0

    @Flag(help: "Exit 0 even when a check of the spec fails at this scale (the table is written either way).")
    var allowFailedChecks = false

    @Option(help: ArgumentHelp("Compute only the cell with this key (or a unique prefix of ≥ 8 hex digits) and write it to the "
                               + "cache: what each worker of an executor runs.", valueName: "key"))
    var cell: String?

    @Flag(help: "Write the table from the cells already computed (rows still missing are shown as not computed).")
    var collect = false

    @Option(help: "local: run the cells in --jobs worker processes (the thread budget split between them); slurm: submit them as one Slurm array job (a task per cell) and wait.")
    var executor: String?

    @Option(help: "slurm: the partition (default: the cluster's default).")
    var partition: String?

    @Option(help: "slurm: time limit per task, e.g. 2:00:00 (default: 3× the spec's expected minutes, at least 10).")
    var time: String?

    @Option(help: "slurm: CPUs per task (each task's thread budget).")
    var cpusPerTask = 2

    @Option(help: "slurm: memory per task, e.g. 8G (default: 1.5× the spec scale's expectedMemoryGB, else the partition's).")
    var mem: String?

    @Option(help: "slurm: at most this many tasks at once.")
    var maxParallel: Int?

    @Flag(help: "slurm: submit and return; `--collect` later writes the table from the cells done.")
    var noWait = false

    @Option(help: "Worker processes for --executor local.")
    var jobs = 1

    @Flag(help: "List the run's cells: key, cached or not, name.")
    var listCells = false

    public init() {}

    public func validate() throws {
        if !list && spec == nil { throw ValidationError("give a spec id (see --list)") }
        if !(progressInterval > 0) { throw ValidationError("--progress-interval must be > 0 seconds") }
        if let executor, !["local", "slurm"].contains(executor) {
            throw ValidationError(ConfigError.unknownComponent(family: "executor", id: executor, valid: ["local", "slurm"]).description)
        }
        if executor != "slurm" && (partition != nil || time != nil || mem != nil || maxParallel != nil || noWait) {
            throw ValidationError("--partition, --time, --mem, --max-parallel and --no-wait need --executor slurm")
        }
        if cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be ≥ 1") }
        if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be ≥ 1") }
        if jobs < 1 || jobs > 4_096 { throw ValidationError("--jobs must be in [1, 4096], got \(jobs)") }
        if jobs > 1 && executor != "local" { throw ValidationError("--jobs needs --executor local") }
        if [cell != nil, collect, executor != nil, listCells].filter({ $0 }).count > 1 {
            throw ValidationError("--cell, --collect, --executor and --list-cells are alternatives: give one")
        }
    }

    var specDirectory: String { root + "/experiments/specs" }

    func specPath(_ s: String) -> String {
        s.hasSuffix(".json") ? s : specDirectory + "/" + s + ".json"
    }

    public func run() throws {
        let (text, failed) = try reproduce()
        print(text, terminator: "")
        if !failed.isEmpty && !allowFailedChecks {
            FileHandle.standardError.write(Data(("seqrec reproduce: \(failed.count) check(s) failed at \(scale) scale: "
                + failed.map(\.description).joined(separator: "; ") + " (--allow-failed-checks to exit 0)\n").utf8))
            throw ExitCode(1)
        }
    }

    /// The printed output.
    public func render() throws -> String { try reproduce().text }

    /// The printed output and the checks that apply at this scale and failed.
    func reproduce() throws -> (text: String, failed: [Report.CheckOutcome]) {
        if list { return (try listing(), []) }
        let path = specPath(spec!)
        guard FileManager.default.fileExists(atPath: path) else {
            let ids = ((try? FileManager.default.contentsOfDirectory(atPath: specDirectory)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
            throw ValidationError(ConfigError.unknownComponent(family: "spec", id: spec!, valid: ids).description)
        }
        let s = try ExperimentSpec.load(path: path)
        let r = try Reproduction(spec: s, scale: scale, root: root, only: only.isEmpty ? nil : only)
        let display = quiet ? nil : ProgressDisplay(interval: progressInterval)
        let log: (String) -> Void = { display?.message("[reproduce] " + $0) }
        if listCells {
            return (try r.plannedCells().map { c in
                "\(c.key)  \(c.isComputed ? "cached    " : "to compute")  \(c.name)\n"
            }.joined(), [])
        }
        if let cell {
            let computed = try r.runCell(key: cell, log: log, display: display)
            return ("cell \(cell): \(computed ? "computed" : "already in the cache")\n", [])
        }
        var outcome: Reproduction.Outcome
        if collect {
            outcome = try r.collect(allowMissing: true)
        } else if executor == "slurm" {
            let argument = specArgumentForWorkers
            let slurm = try SlurmExecutor(executable: LocalExecutor.currentExecutable, partition: partition, time: time,
                                          cpusPerTask: cpusPerTask, memory: mem, maxParallel: maxParallel)
            let job = try slurm.submit(r, specArgument: argument, expectedMinutes: s.scales[scale]?.expectedMinutes,
                                       expectedMemoryGB: s.scales[scale]?.expectedMemoryGB, log: log)
            if noWait {
                return ((job.map { "submitted Slurm array job \($0.id) (\($0.keys.count) cells)" } ?? "nothing to submit")
                        + "; `seqrec reproduce \(argument) --scale \(scale) --collect` writes the table from the cells done\n", [])
            }
            if let job {
                let failures = try slurm.wait(for: job, r, progress: log)
                if !failures.isEmpty { throw failed(failures) }
            } else if try !r.pendingCells().isEmpty {
                throw HarnessError("the cells still to compute are queued or running in earlier Slurm jobs of this run; "
                                   + "rerun when they end, or `--collect` for the table so far")
            }
            outcome = try r.collect()
        } else if executor == "local" {
            let pool = try LocalExecutor(jobs: jobs, executable: LocalExecutor.currentExecutable)
            let failures = try pool.run(r, specArgument: specArgumentForWorkers, log: log)
            if !failures.isEmpty { throw failed(failures) }
            // The table records the threads each cell ran with.
            ThreadBudget.set(pool.threadsPerJob)
            outcome = try r.collect()
        } else {
            outcome = try r.run(log: log, display: display)
        }
        var out = outcome.markdown
        out += executor != nil || collect
            ? "\n\(outcome.cached) cells collected from the cache; wrote:\n"
            : "\n\(outcome.computed) cells computed, \(outcome.cached) from the cache; wrote:\n"
        for f in outcome.files { out += "  \(f)\n" }
        return (out, outcome.report.failedChecks)
    }

    /// The spec as workers elsewhere name it: an id, or an absolute path.
    var specArgumentForWorkers: String {
        guard let spec, spec.hasSuffix(".json") else { return spec ?? "" }
        return URL(fileURLWithPath: spec).standardizedFileURL.path
    }

    func failed(_ failures: [LocalExecutor.Failure]) -> HarnessError {
        HarnessError("\(failures.count) cell(s) failed; rerun the same command to retry them (finished cells are kept):\n"
                     + failures.map { "  \($0.name) (\($0.key.prefix(12))): status \($0.status), log \($0.log)" }.joined(separator: "\n"))
    }

    func listing() throws -> String {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: specDirectory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var s = "| spec | kind | title | needs | scales (expected minutes on 2 cores) |\n| --- | --- | --- | --- | --- |\n"
        for f in files {
            let spec = try ExperimentSpec.load(path: specDirectory + "/" + f)
            let needs = (spec.datasets ?? []).map { d -> String in
                if d.synthetic != nil { return "\(d.name) (embedded)" }
                let p = d.path.map { $0.hasPrefix("/") ? $0 : root + "/" + $0 } ?? ""
                return "\(d.name) (\(FileManager.default.fileExists(atPath: p) ? "present" : "absent: \(d.path ?? "")"))"
            }
            let scales = ExperimentSpec.scaleNames.compactMap { n in
                spec.scales[n].map { "\(n) " + ($0.expectedMinutes.map { String(format: "~%g", $0) } ?? "?") }
            }
            s += "| \(spec.id) | \(spec.kind) | \(spec.title) | \(needs.isEmpty ? "nothing" : needs.joined(separator: ", ")) | "
                + scales.joined(separator: ", ") + " |\n"
        }
        return s
    }
}
