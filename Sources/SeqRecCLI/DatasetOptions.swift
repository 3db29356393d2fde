import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecData

/// Options naming a dataset: a file in one of the formats, a gSASRec split directory, or the
/// embedded synthetic default.
struct DatasetOptions: ParsableArguments {
    @Argument(help: "Data file or, for --format gsasrec-split, the split directory. Omit for the embedded synthetic dataset.")
    var path: String?

    @Option(help: "user-item | grouplens | recbole-inter | delimited | gsasrec-split")
    var format = "user-item"

    @Option(help: "Name shown in tables (default: the file name).")
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

    func validate() throws {
        let formats = InteractionFormats.all + ["gsasrec-split"]
        guard formats.contains(format) else {
            throw ValidationError(ConfigError.unknownComponent(family: "format", id: format, valid: formats).description)
        }
        if minUser < 0 || minItem < 0 { throw ValidationError("--min-user and --min-item must be ≥ 0") }
    }

    var label: String { name ?? path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "synthetic" }

    /// The dataset (not for gsasrec-split, which comes pre-split).
    func dataset() throws -> SequenceDataset {
        guard let path else { return try SyntheticDataset().generate() }
        func column(_ s: String) -> DelimitedFormat.Column { noHeader ? .index(Int(s) ?? -1) : .name(s) }
        var options = FormatOptions()
        options.separator = separator
        options.hasHeader = !noHeader
        options.user = column(userColumn)
        options.item = column(itemColumn)
        options.timestamp = timeColumn.map(column)
        let reader = try InteractionFormats.make(format, options: options)
        return try Preprocessing(minUserInteractions: minUser, minItemInteractions: minItem)
            .apply(to: reader.read(path: path), name: label)
    }

    /// The leave-one-out split (or the gSASRec port's own split).
    func split(validationUsers: Int? = nil) throws -> DatasetSplit {
        if format == "gsasrec-split", let path { return try GSASRecPortSplit(directory: path).load() }
        return try LeaveOneOut(validationUsers: validationUsers).split(dataset())
    }
}
