import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecHarness
import SeqRecScoring

/// `seqrec score`: PQTopK over a simulated RecJPQ catalogue (thesis §7.1.5), in one process or
/// split into shards scored by their own processes — locally or as Slurm tasks — with the exact
/// top-K merged. A catalogue too big for one machine (1e10 items at m = 8 is 80 GB of codes) is
/// scored by machines that each hold one shard.
public struct ScoreCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Top-K over a simulated PQ catalogue, in one process or sharded across processes or Slurm tasks (exact merge).")

    @Option(help: "Catalogue size (e.g. 1e9).") var items: Double = 1e6
    @Option(help: "Sub-ids per item (m).") var splits = 8
    @Option(help: "Embedding dimension d.") var dim = 512
    @Option(help: "Queries (random N(0, 1) sequence embeddings).") var queries = 8
    @Option(help: "K of the top-K.") var top = 10
    @Option(help: "Seed of the catalogue and the queries.") var seed: UInt64 = 1
    @Option(help: "Split the catalogue into this many contiguous shards, each scored by its own process.") var shards = 1
    @Option(help: "Worker mode: score only this shard (0-based) and write its top-K to --out.") var shard: Int?
    @Option(help: "Worker mode: where the shard's result goes (JSON).") var out: String?
    @Option(help: "local (default): shard processes on this machine; slurm: one array task per shard.") var executor = "local"
    @Option(help: "local: shard processes at once.") var jobs = 1
    @Option(help: "slurm: CPUs per task.") var cpusPerTask = 2
    @Option(help: "slurm: partition.") var partition: String?
    @Option(help: "slurm: memory per task, e.g. 4G.") var mem: String?
    @Option(help: "Directory for the shards' results (default: a new temporary one; on Slurm it must be shared).") var workDir: String?
    @Flag(help: "Also score the whole catalogue in one process and check the merged top-K equals it.") var compare = false
    @Option(help: "Also write the report as JSON here.") var json: String?

    public init() {}

    var itemCount: Int { Int(items) }

    public func validate() throws {
        guard items >= 1, items <= 4e9, items == items.rounded() else { throw ValidationError("--items must be a whole number in [1, 4e9]") }
        if splits < 1 || dim < 1 || dim % splits != 0 { throw ValidationError("--dim must be a positive multiple of --splits") }
        if queries < 1 || top < 1 { throw ValidationError("--queries and --top must be ≥ 1") }
        if shards < 1 || shards > itemCount { throw ValidationError("--shards must be in [1, --items]") }
        if let shard, shard < 0 || shard >= shards { throw ValidationError("--shard must be in [0, \(shards - 1)]") }
        if shard != nil && out == nil { throw ValidationError("--shard needs --out") }
        if !["local", "slurm"].contains(executor) { throw ValidationError("--executor: local | slurm") }
        if jobs < 1 || cpusPerTask < 1 { throw ValidationError("--jobs and --cpus-per-task must be ≥ 1") }
    }

    /// One shard's figures and top-K lists.
    struct ShardReport: Codable {
        var shard: Int
        var first: Int
        var items: Int
        var buildSeconds: Double
        var millisecondsPerQuery: [Double]
        var peakResidentBytes: Int
        var threads: Int
        var topK: [[ShardedTopK.Candidate]]
    }

    func queryVectors() -> [[Float]] {
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        return (0..<queries).map { _ in (0..<dim).map { _ in rng.nextNormal() } }
    }

    /// Scores one shard in this process.
    func scoreShard(_ s: Int, of count: Int) throws -> ShardReport {
        let range = try ShardedTopK.ranges(items: itemCount, shards: count)[s]
        let clock = Stopwatch()
        let catalogue = try PQCatalogue.random(items: itemCount, splits: splits, dim: dim, seed: seed, shard: range)
        let build = clock.elapsedSeconds
        let scorer = PQTopKScorer(catalogue: catalogue)
        var times: [Double] = [], lists: [[ShardedTopK.Candidate]] = []
        for q in queryVectors() {
            let t = Stopwatch()
            let top = try scorer.topK(q, k: Swift.min(self.top, range.count), excluding: [])
            times.append(t.elapsedSeconds * 1000)
            lists.append(ShardedTopK.globalize(top, offset: range.lowerBound))
        }
        return ShardReport(shard: s, first: range.lowerBound, items: range.count, buildSeconds: build, millisecondsPerQuery: times,
                           peakResidentBytes: MemoryUsage.peakResidentBytes(), threads: ThreadBudget.threads, topK: lists)
    }

    public func run() throws {
        if let shard {
            try AtomicFile.write(JSONEncoder().encode(try scoreShard(shard, of: shards)), to: out!)
            return
        }
        let dir = workDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-score-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let reports = try runShards(count: shards, directory: dir)
        let merged = (0..<queries).map { q in ShardedTopK.merge(reports.map { $0.topK[q] }, k: top) }
        var text = "PQTopK over \(itemCount) items (m \(splits), d \(dim)), \(queries) queries, top-\(top), \(shards) shard(s) "
            + "(\(executor)\(executor == "local" ? ", \(jobs) at once" : "")):\n\n"
        text += "| shard | items | build (s) | ms per query (median) | peak memory | threads |\n| --- | --- | --- | --- | --- | --- |\n"
        func row(_ name: String, _ r: ShardReport) -> String {
            let ms = r.millisecondsPerQuery.sorted()
            return "| \(name) | \(r.items) | \(String(format: "%.1f", r.buildSeconds)) | \(String(format: "%.1f", ms[ms.count / 2])) | "
                + "\(String(format: "%.2f", Double(r.peakResidentBytes) / 1e9)) GB | \(r.threads) |\n"
        }
        for r in reports { text += row("\(r.shard) [\(r.first), \(r.first + r.items))", r) }
        var single: ShardReport? = nil
        if compare {
            single = try runShards(count: 1, directory: dir + "/single").first
            text += row("one process", single!)
            let same = (0..<queries).allSatisfy { merged[$0] == single!.topK[$0] }
            text += "\nmerged top-\(top) of the \(shards) shards \(same ? "equals" : "DIFFERS FROM") the one-process top-\(top) for every query\n"
            if !same { print(text, terminator: ""); throw ExitCode(1) }
        }
        text += "\nquery 1: " + merged[0].prefix(5).map { "\($0.item) (\(String(format: "%.3f", $0.score)))" }.joined(separator: ", ") + " …\n"
        print(text, terminator: "")
        if let json {
            struct Output: Encodable { let shards: [ShardReport]; let single: ShardReport?; let merged: [[ShardedTopK.Candidate]] }
            try AtomicFile.write(Output(shards: reports, single: single, merged: merged).prettyJSON(), to: json)
        }
    }

    /// Runs `count` shard processes (locally or on Slurm) and reads their results.
    func runShards(count: Int, directory: String) throws -> [ShardReport] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let exe = LocalExecutor.currentExecutable
        func args(_ s: String) -> [String] {
            ["score", "--items", String(itemCount), "--splits", String(splits), "--dim", String(dim), "--queries", String(queries),
             "--top", String(top), "--seed", String(seed), "--shards", String(count), "--shard", s, "--out", directory + "/shard-\(s).json"]
        }
        if executor == "slurm" {
            let script = directory + "/task.sh"
            // Single-quoted words, the task index spliced in unquoted-by-shell as "$SLURM_ARRAY_TASK_ID".
            func quoted(_ word: String) -> String {
                word.components(separatedBy: "@TASK@").map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
                    .joined(separator: "\"$SLURM_ARRAY_TASK_ID\"")
            }
            let command = ([exe] + args("@TASK@")).map(quoted).joined(separator: " ")
            try AtomicFile.write(Data("#!/bin/bash\nexport SEQREC_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\nexec \(command)\n".utf8), to: script)
            let id = try SlurmExecutor.submitArray(name: "seqrec-score", script: script, tasks: count, cpusPerTask: cpusPerTask,
                                                   output: directory + "/slurm-%a.out", partition: partition, memory: mem)
            while try !SlurmExecutor.tasks(of: id, format: "%T").isEmpty { Thread.sleep(forTimeInterval: 1) }
        } else {
            let parallel = Swift.min(jobs, count)
            var environment = ProcessInfo.processInfo.environment
            environment["SEQREC_THREADS"] = String(Swift.max(1, ThreadBudget.threads / parallel))
            let tasks = (0..<count).map { WorkerProcesses.Task(arguments: args(String($0)), log: directory + "/shard-\($0).log") }
            let statuses = try WorkerProcesses.run(executable: exe, tasks: tasks, jobs: parallel, environment: environment)
            if let bad = statuses.firstIndex(where: { $0 != 0 }) {
                throw ValidationError("shard \(bad) failed (status \(statuses[bad])); log \(tasks[bad].log)")
            }
        }
        return try (0..<count).map { s in
            let path = directory + "/shard-\(s).json"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("shard \(s) wrote no result (\(path)); see \(directory)")
            }
            return try JSONDecoder().decode(ShardReport.self, from: data)
        }
    }
}
