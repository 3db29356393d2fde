import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecData

/// `seqrec stats`: thesis Table 2.1 characteristics and the fingerprint of a dataset.
public struct StatsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a dataset's Table 2.1 statistics (users, items, interactions, mean/median length, long tail %) and fingerprint.")

    @Argument(help: "Data file or, for --format gsasrec-split, the split directory. Omit with --synthetic.")
    var path: String?

    @Option(help: "user-item | grouplens | recbole-inter | delimited | gsasrec-split")
    var format = "user-item"

    @Option(help: "Name shown in the table (default: the file name).")
    var name: String?

    @Option(help: "Remove users with fewer interactions (the thesis uses 5).")
    var minUser = 0

    @Option(help: "Remove items with fewer interactions.")
    var minItem = 0

    @Option(help: "delimited: field separator.")
    var separator = ","

    @Option(help: "delimited: user column name (or 0-based index with --no-header).")
    var userColumn = "user"

    @Option(help: "delimited: item column name (or index).")
    var itemColumn = "item"

    @Option(help: "delimited: timestamp column name (or index); omit if none.")
    var timeColumn: String?

    @Flag(help: "delimited: the file has no header line.")
    var noHeader = false

    @Flag(help: "Use the embedded synthetic dataset (default settings) instead of a file.")
    var synthetic = false

    @Option(help: "Also write the statistics as JSON here (atomically).")
    var json: String?

    public init() {}

    public func validate() throws {
        let formats = InteractionFormats.all + ["gsasrec-split"]
        guard formats.contains(format) else {
            throw ValidationError(ConfigError.unknownComponent(family: "format", id: format, valid: formats).description)
        }
        if path == nil && !synthetic { throw ValidationError("give a data path or --synthetic") }
        if minUser < 0 || minItem < 0 { throw ValidationError("--min-user and --min-item must be ≥ 0") }
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
        if synthetic {
            let d = try SyntheticDataset().generate()
            return (name ?? "synthetic", d.statistics, d.fingerprint.description)
        }
        let path = path!
        let label = name ?? URL(fileURLWithPath: path).lastPathComponent
        if format == "gsasrec-split" {
            let split = GSASRecPortSplit(directory: path)
            return (label, try split.statistics(), try split.load().dataset.fingerprint.description)
        }
        let reader: any InteractionFormat
        switch format {
        case UserItemFormat.id: reader = UserItemFormat()
        case GroupLensFormat.id: reader = GroupLensFormat()
        case RecBoleInterFormat.id: reader = RecBoleInterFormat()
        default:
            func column(_ s: String) -> DelimitedFormat.Column { noHeader ? .index(Int(s) ?? -1) : .name(s) }
            reader = DelimitedFormat(separator: separator, hasHeader: !noHeader, user: column(userColumn),
                                     item: column(itemColumn), timestamp: timeColumn.map(column))
        }
        let d = try Preprocessing(minUserInteractions: minUser, minItemInteractions: minItem).apply(to: reader.read(path: path), name: label)
        return (label, d.statistics, d.fingerprint.description)
    }
}
