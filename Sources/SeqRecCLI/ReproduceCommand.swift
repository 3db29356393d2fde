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

    @Option(help: "local: run the cells in --jobs worker processes (the thread budget split between them).")
    var executor: String?

    @Option(help: "Worker processes for --executor local.")
    var jobs = 1

    @Flag(help: "List the run's cells: key, cached or not, name.")
    var listCells = false

    public init() {}

    public func validate() throws {
        if !list && spec == nil { throw ValidationError("give a spec id (see --list)") }
        if !(progressInterval > 0) { throw ValidationError("--progress-interval must be > 0 seconds") }
        if let executor, executor != "local" {
            throw ValidationError(ConfigError.unknownComponent(family: "executor", id: executor, valid: ["local"]).description)
        }
        if jobs < 1 || jobs > 4_096 { throw ValidationError("--jobs must be in [1, 4096], got \(jobs)") }
        if jobs > 1 && executor == nil { throw ValidationError("--jobs needs --executor local") }
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
        } else if executor == "local" {
            let pool = try LocalExecutor(jobs: jobs, executable: LocalExecutor.currentExecutable)
            let failures = try pool.run(r, specArgument: spec!, log: log)
            if !failures.isEmpty {
                throw HarnessError("\(failures.count) cell(s) failed; rerun the same command to retry them (finished cells are kept):\n"
                                   + failures.map { "  \($0.name) (\($0.key.prefix(12))): status \($0.status), log \($0.log)" }
                                       .joined(separator: "\n"))
            }
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
