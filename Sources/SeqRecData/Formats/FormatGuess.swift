import Foundation

/// Which format a data file or directory looks like, from its layout or its first line, so a
/// load that fails under the `--format` given can say which one to try instead ("looks like a
/// RecBole .inter file: try --format recbole-inter").
public struct FormatGuess: Sendable, Equatable {
    /// The format id to try.
    public let format: String
    /// What the file looks like, for the message.
    public let looksLike: String
    /// Extra options the format needs (delimited files), or "".
    public let options: String

    /// The guess for `path`, or nil when nothing is recognisable.
    public static func guess(path: String) -> FormatGuess? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue {
            let has = { (p: String) in FileManager.default.fileExists(atPath: path + "/" + p) }
            guard has("dataset_stats.json") || (has("train") && has("test")) else { return nil }
            return FormatGuess(format: DatasetSource.gsasrecSplitFormat, looksLike: "a gSASRec split directory (train/, val/, test/, dataset_stats.json)", options: "")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64 * 1024)) ?? Data()
        var text = String(decoding: head, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }.prefix(2).map(String.init)
        guard let first = lines.first else { return nil }
        return guess(firstLine: first, secondLine: lines.count > 1 ? lines[1] : nil, fileName: (path as NSString).lastPathComponent)
    }

    /// Words that name the columns of a header line.
    static let headerWords = ["user", "item", "session", "customer", "movie", "product", "track", "asin", "time", "date", "rating"]

    /// The guess from a file's first non-blank line (and the next, which tells a header from data).
    public static func guess(firstLine line: String, secondLine: String? = nil, fileName: String) -> FormatGuess? {
        let tabs = line.split(separator: "\t", omittingEmptySubsequences: false)
        if tabs.count >= 2, tabs.allSatisfy({ $0.contains(":") }), line.contains("user_id:"), line.contains("item_id:") {
            return FormatGuess(format: RecBoleInterFormat.id, looksLike: "a RecBole .inter file (typed header `\(line.abbreviated(to: 60))`)", options: "")
        }
        if line.components(separatedBy: "::").count == 4 {
            return FormatGuess(format: GroupLensFormat.id, looksLike: "a GroupLens ratings.dat file (`user::item::rating::timestamp`)", options: "")
        }
        if line == "userId,movieId,rating,timestamp" {
            let options = fileName.lowercased().hasSuffix(".csv") ? "" : " (name the file *.csv)"
            return FormatGuess(format: GroupLensFormat.id, looksLike: "a GroupLens ratings.csv file\(options)", options: "")
        }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if words.count == 2, !line.contains(","), !line.contains(";") {
            return FormatGuess(format: UserItemFormat.id, looksLike: "a `user item` file", options: "")
        }
        for separator in [",", "\t", ";", "|"] {
            let fields = line.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2 else { continue }
            let shown = separator == "\t" ? "'\\t'" : "'\(separator)'"
            let lower = fields.map { $0.lowercased() }
            // A header names its columns, or has text where the data below has numbers.
            let next = secondLine?.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }
            let textOverNumbers = next.map { n in zip(fields, n).contains { Double($0) == nil && Double($1) != nil } }
            let header = lower.contains { f in headerWords.contains { f.contains($0) } } || (textOverNumbers ?? fields.contains { Double($0) == nil })
            guard header else {
                return FormatGuess(format: DelimitedFormat.id, looksLike: "a \(shown)-separated file without a header",
                                   options: "--separator \(shown) --no-header --user-column 0 --item-column 1")
            }
            func find(_ words: [String]) -> String? { words.lazy.compactMap { w in lower.firstIndex { $0.contains(w) } }.first.map { fields[$0] } }
            var options = "--separator \(shown)"
            if let u = find(["user", "session", "customer"]) { options += " --user-column \(u)" }
            if let i = find(["item", "movie", "product", "track", "asin"]) { options += " --item-column \(i)" }
            if let t = find(["timestamp", "time", "date"]) { options += " --time-column \(t)" }
            return FormatGuess(format: DelimitedFormat.id, looksLike: "a \(shown)-separated file with the header `\(line.abbreviated(to: 60))`", options: options)
        }
        return nil
    }

    /// `error` with a hint to the guessed format appended, when the file looks like another format
    /// than `format`.
    static func annotate(_ error: DataError, path: String, format: String) -> DataError {
        guard let g = guess(path: path), g.format != format else { return error }
        let options = g.options.isEmpty ? "" : " " + g.options
        return DataError(file: error.file, line: error.line, error.message.abbreviated(to: 280) + " — \(path.abbreviated(to: 80)) looks like \(g.looksLike): try --format \(g.format)\(options)")
    }
}
