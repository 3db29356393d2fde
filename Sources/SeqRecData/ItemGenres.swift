import Foundation

/// Item side information: genres (or tags) per item, e.g. `item_genres.tsv` of `ml1m-gsasrec`
/// (`item<TAB>genre|genre|…` with a header line). Used by intra-list diversity.
public struct ItemGenres: Sendable, Equatable {
    /// Genre names; genre id = index.
    public let names: [String]
    /// Genre ids per internal item id (index 0 and ids without an entry: empty).
    public let genres: [[Int]]

    public init(names: [String], genres: [[Int]]) {
        self.names = names
        self.genres = genres
    }

    /// Reads a `item<TAB>a|b|c` file, mapping external item ids through `vocabulary`.
    /// Items not in the vocabulary are counted and skipped (reported in `skipped`).
    /// - Throws: `DataError` with file and line for malformed lines or duplicate items.
    public static func read(path: String, vocabulary: ItemVocabulary) throws -> (ItemGenres, skipped: Int) {
        let scanner = try LineScanner(path: path)
        var names: [String] = [], index: [String: Int] = [:]
        var genres = [[Int]](repeating: [], count: vocabulary.size)
        var seen = Set<Int32>()
        var skipped = 0
        var first = true
        try scanner.forEachLine(separator: [9]) { line, f in
            defer { first = false }
            if first && f.string(0) == "item" { return }
            guard f.count == 2 else { throw DataError(file: path, line: line, "expected `item<TAB>genre|genre|…`, found \(f.count) fields") }
            guard let id = vocabulary.internalID(f.string(0)) else { skipped += 1; return }
            guard seen.insert(id).inserted else { throw DataError(file: path, line: line, "item \(f.string(0)) listed twice") }
            genres[Int(id)] = f.string(1).split(separator: "|").map { g in
                let g = String(g)
                if let k = index[g] { return k }
                index[g] = names.count
                names.append(g)
                return names.count - 1
            }
        }
        return (ItemGenres(names: names, genres: genres), skipped)
    }

    /// Genres per internal id from a file that must describe this vocabulary: an error naming
    /// the file (and `key`) when most of its items are not in the dataset.
    public static func matching(path: String, vocabulary: ItemVocabulary, key: String) throws -> [[Int]] {
        let (table, skipped) = try read(path: path, vocabulary: vocabulary)
        let matched = table.genres.filter { !$0.isEmpty }.count
        guard matched > 0, skipped <= matched else {
            throw DataError(file: path, "\(key): \(matched) of its items are in the dataset and \(skipped) are not; "
                            + "it does not describe this dataset's items")
        }
        return table.genres
    }

    /// The generator's genres per internal id of `vocabulary` (synthetic items are named 1…N).
    public static func of(_ generator: SyntheticDataset, vocabulary: ItemVocabulary) -> [[Int]] {
        var out = [[Int]](repeating: [], count: vocabulary.size)
        for (i, g) in generator.itemGenres().enumerated() {
            if let id = vocabulary.internalID(String(i + 1)) { out[Int(id)] = g }
        }
        return out
    }
}
