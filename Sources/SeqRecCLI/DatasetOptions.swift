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

    @Option(help: "delimited: field separator (`\\t` or `tab` for a tab).")
    var separator = ","

    @Option(help: "delimited: user column name (or 0-based index with --no-header).")
    var userColumn = "user"

    @Option(help: "delimited: item column name (or index).")
    var itemColumn = "item"

    @Option(help: "delimited: timestamp column name (or index); omit if none.")
    var timeColumn: String?

    @Flag(help: "delimited: the file has no header line.")
    var noHeader = false

    @Option(help: ArgumentHelp("Where a binary copy of a parsed data file (16 MB or more) is kept, so the next load reads arrays "
                               + "instead of text (default: $SEQREC_CACHE_DIR, else ~/.cache/seqrec/datasets).", valueName: "dir"))
    var cacheDir: String?

    @Flag(help: "Parse the data file every time (no dataset cache).")
    var noCache = false

    func validate() throws {
        guard DatasetSource.formats.contains(format) else {
            throw ValidationError(ConfigError.unknownComponent(family: "format", id: format, valid: DatasetSource.formats).description)
        }
        if minUser < 0 || minItem < 0 { throw ValidationError("--min-user and --min-item must be ≥ 0") }
        if resolvedSeparator.isEmpty { throw ValidationError("--separator must not be empty (e.g. `,`, `;`, or `\\t` for a tab)") }
        if noHeader {
            for (flag, value) in [("--user-column", userColumn), ("--item-column", itemColumn), ("--time-column", timeColumn ?? "0")]
            where Int(value).map({ $0 < 0 }) ?? true {
                throw ValidationError("\(flag) `\(value.abbreviated(to: 40))`: with --no-header, columns are 0-based indices (0, 1, 2, …)")
            }
        }
    }

    /// The separator with `\t` / `tab` read as a tab character.
    var resolvedSeparator: String {
        switch separator {
        case "\\t", "tab", "TAB": return "\t"
        default: return separator
        }
    }

    /// Validation users of a leave-one-out split unless `--validation-users` says otherwise: every
    /// user of a dataset up to this size (ML-100K, ML-1M), a seeded sample of this many above it.
    static let defaultValidationUsers = 10_000

    var label: String { name ?? path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "synthetic" }

    /// The source these options name (the embedded synthetic dataset without a path).
    func source(validationUsers: Int? = nil) throws -> DatasetSource {
        guard let path else { return DatasetSource(origin: .synthetic(SyntheticDataset()), name: label, validationUsers: validationUsers) }
        func column(_ s: String) -> DelimitedFormat.Column { noHeader ? .index(Int(s) ?? -1) : .name(s) }
        var options = FormatOptions()
        options.separator = resolvedSeparator
        options.hasHeader = !noHeader
        options.user = column(userColumn)
        options.item = column(itemColumn)
        options.timestamp = timeColumn.map(column)
        var source = try DatasetSource.path(path, format: format, options: options, name: label)
        source.minUserInteractions = minUser
        source.minItemInteractions = minItem
        source.validationUsers = validationUsers
        source.cache = noCache ? nil : cacheDir.map { DatasetCache(directory: $0) } ?? .userDefault
        source.cacheNotice = { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
        return source
    }

    /// The dataset (not for gsasrec-split, which comes pre-split).
    func dataset() throws -> SequenceDataset { try source().dataset() }

    /// The leave-one-out split (or the gSASRec port's own split).
    func split(validationUsers: Int? = nil) throws -> DatasetSplit { try source(validationUsers: validationUsers).split() }
}
