import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecEval
import SeqRecModels

/// `seqrec compare`: test metrics of two or more runs side by side, each against the first with
/// the paired t-test over the same test users (Bonferroni-corrected over the comparisons).
public struct CompareCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs' test metrics (result.json) with paired t-tests against the first run.")

    @Argument(help: "Run directories or result.json files; the first is the reference.")
    var runs: [String]

    @Option(help: "Metrics to compare.")
    var metrics = "ndcg@10,recall@1,recall@10"

    public init() {}

    public func validate() throws {
        if runs.count < 2 { throw ValidationError("give at least two runs") }
    }

    public func run() throws { print(try render(), terminator: "") }

    public func render() throws -> String {
        let results = try runs.map { path -> RunResult in
            var isDir: ObjCBool = false
            let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue ? path + "/result.json" : path
            return try RunResult.read(path: file)
        }
        let base = results[0]
        for (r, path) in zip(results, runs) where r.fingerprint != base.fingerprint || r.testUsers != base.testUsers {
            throw ValidationError("\(path): other dataset or test users than \(runs[0]); paired tests need the same cases")
        }
        let names = metrics.split(separator: ",").map(String.init)
        let comparisons = (results.count - 1) * names.count
        var s = "dataset \(base.dataset) (\(base.fingerprint)); \(base.testUsers.count) test cases; "
        s += "† = significant vs the first run (paired t-test, Bonferroni over \(comparisons) comparisons, α 0.05)\n"
        s += "| run | loss | steps | " + names.joined(separator: " | ") + " |\n"
        s += "| --- | --- | --- | " + names.map { _ in "---" }.joined(separator: " | ") + " |\n"
        for (r, path) in zip(results, runs) {
            let cells = try names.map { m -> String in
                guard let v = r.testPerUser[m], let b = base.testPerUser[m] else { throw ValidationError("\(path): no per-user \(m)") }
                let mean = v.reduce(0, +) / Double(max(v.count, 1))
                guard path != runs[0] else { return String(format: "%.4f", mean) }
                let t = SignificanceTest.pairedT(v, b, comparisons: comparisons)
                return String(format: "%.4f", mean) + (t.significant ? "†" : "") + String(format: " (p %.2g)", t.pValue)
            }
            s += "| \(path) | \(r.config.model.id) \(r.config.loss.summary) | \(r.training.steps) | "
                + cells.joined(separator: " | ") + " |\n"
        }
        return s
    }
}
