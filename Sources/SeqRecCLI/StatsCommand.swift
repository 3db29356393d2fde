import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecData

/// `seqrec stats`: thesis Table 2.1 characteristics and the fingerprint of a dataset.
public struct StatsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a dataset's Table 2.1 statistics (users, items, interactions, mean/median length, long tail %) and fingerprint.")

    @OptionGroup var data: DatasetOptions

    @Flag(help: "Use the embedded synthetic dataset (default settings) instead of a file.")
    var synthetic = false

    @Option(help: "Also write the statistics as JSON here (atomically).")
    var json: String?

    public init() {}

    public func validate() throws {
        if data.path == nil && !synthetic { throw ValidationError("give a data path or --synthetic") }
    }

    public func run() throws { print(try render(), terminator: "") }

    /// The command's output (tests compare it exactly).
    public func render() throws -> String {
        let (label, stats, fingerprint) = try load()
        var out = "| Dataset | Users | Items | Interactions | Mean Length | Median Length | Long Tail % |\n"
        out += "| --- | --- | --- | --- | --- | --- | --- |\n"
        out += stats.tableRow(name: label) + "\n"
        if let note = stats.note { out += "note: \(note)\n" }
        out += "fingerprint: \(fingerprint)\n"
        if let json {
            struct Output: Encodable { let name: String; let statistics: DatasetStatistics; let fingerprint: String }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(encoder.encode(Output(name: label, statistics: stats, fingerprint: fingerprint)), to: json)
        }
        return out
    }

    private func load() throws -> (String, DatasetStatistics, String) {
        let source = try data.source()
        if case .gsasrecSplit = source.origin {
            let (split, stats) = try source.load()
            return (data.label, stats, split.dataset.fingerprint.description)
        }
        let (d, statistics) = try source.datasetAndStatistics()
        return (data.label, statistics, d.fingerprint.description)
    }
}
