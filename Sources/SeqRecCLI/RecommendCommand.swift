import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels

/// `seqrec recommend`: top-K items for histories given as external item ids, or for users of a
/// dataset, from a trained checkpoint. Histories need not have been seen in training; every id
/// must be in the model's vocabulary (unknown ids are errors naming the id and line, or skipped
/// with --skip-unknown).
public struct RecommendCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend the top-K items (external ids, with scores) for a history or a file of histories.",
        discussion: """
            One history: --items "i1 i2 i3" (oldest first). Batch: --input FILE, a CSV or TSV of \
            `user<sep>item` lines, each user's lines in chronological order (a header line `user,item` \
            is skipped). Users of a dataset: --user ID (repeatable) with the dataset's path and format \
            options as for `seqrec train` (no path: the embedded synthetic dataset); the history is \
            the user's whole sequence in the dataset. Output: `user,rank,item,score` lines.
            """)

    @OptionGroup var data: DatasetOptions

    @Option(help: "A run directory or its model.safetensors.")
    var checkpoint: String

    @Option(help: "One history: external item ids, oldest first, separated by spaces or commas.")
    var items: String?

    @Option(help: "Batch input: CSV/TSV of user,item lines in chronological order per user.")
    var input: String?

    @Option(help: "A user id of the dataset (repeatable): the history is the user's sequence in it.")
    var user: [String] = []

    @Option(name: .short, help: "How many items to recommend.")
    var k = 10

    @Flag(help: "Allow items of the history to be recommended (filtered by default, as in evaluation).")
    var noFilterSeen = false

    @Flag(help: "Drop ids outside the model's vocabulary (with a warning) instead of failing.")
    var skipUnknown = false

    @Flag(help: "Print scores with 9 significant digits (every bit of a 32-bit float) instead of 6.")
    var fullPrecision = false

    @Option(help: "Write the recommendations here (atomically) instead of standard output.")
    var output: String?

    public init() {}

    public func validate() throws {
        if [items != nil, input != nil, !user.isEmpty].filter({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --items, --input or --user")
        }
        if user.isEmpty && data.path != nil { throw ValidationError("a dataset path is only read with --user") }
        if k < 1 { throw ValidationError("-k must be ≥ 1, got \(k)") }
    }

    public func run() throws {
        let text = try render()
        if let output { try AtomicFile.write(text, to: output) } else { print(text, terminator: "") }
    }

    public func render() throws -> String {
        let ckpt = try ModelCheckpoint.load(path: EvaluateCommand.modelPath(checkpoint))
        let histories = try user.isEmpty ? readHistories() : datasetHistories(trainedOn: ckpt.metadata["seqrec.dataset_fingerprint"])
        let vocabulary = ckpt.vocabulary
        var users: [String] = [], ids: [[Int32]] = []
        var warnings: [String] = []
        for h in histories {
            var mapped: [Int32] = []
            for (item, line) in h.items {
                if let id = vocabulary.internalID(item) { mapped.append(id); continue }
                let place = !user.isEmpty ? "\(data.label) (user \(h.user))" : input.map { "\($0):\(line)" } ?? "--items"
                guard skipUnknown else {
                    throw CheckpointError(file: place, "item `\(item)` is not in the model's vocabulary "
                                          + "(\(vocabulary.itemCount) items); use --skip-unknown to drop such items")
                }
                warnings.append("\(place): skipped unknown item `\(item)`")
            }
            guard !mapped.isEmpty else {
                throw CheckpointError(file: input ?? "--items", "user \(h.user): no known items in the history")
            }
            users.append(h.user)
            ids.append(mapped)
        }
        for w in warnings { FileHandle.standardError.write(Data(("warning: " + w + "\n").utf8)) }
        func unusable(_ detail: String) -> CheckpointError {
            CheckpointError(file: checkpoint, "the model's scores are not finite (\(detail)): NaN/Inf weights; the checkpoint cannot be used")
        }
        let recs: [[ScoredItem]]
        // The evaluator rejects NaN scores; ±inf ones are caught below.
        do { recs = try ckpt.model.recommend(ids, k: k, filterSeen: !noFilterSeen) } catch let e as DataError where e.file == "scorer" {
            throw unusable(e.message)
        }
        if let (user, _) = zip(users, recs).first(where: { $0.1.contains { !$0.score.isFinite } }) {
            throw unusable("an infinite score for user \(user)")
        }
        var out = "user,rank,item,score\n"
        let format = fullPrecision ? "%.9g" : "%.6g"
        for (user, list) in zip(users, recs) {
            for (rank, s) in list.enumerated() {
                out += "\(user),\(rank + 1),\(vocabulary.externalID(s.item)),\(String(format: format, s.score))\n"
            }
        }
        return out
    }

    struct History {
        let user: String
        var items: [(String, Int)]   // external id, source line
    }

    /// The `--user` histories: each user's whole sequence in the dataset, as external ids.
    func datasetHistories(trainedOn fingerprint: String?) throws -> [History] {
        let dataset = try data.split().dataset
        if let fingerprint, fingerprint != dataset.fingerprint.description {
            FileHandle.standardError.write(Data(("warning: \(data.label) (\(dataset.fingerprint)) is not the dataset the model was trained on "
                                                 + "(\(fingerprint)); items are matched by their ids\n").utf8))
        }
        let index = Dictionary(dataset.userIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return try user.map { id in
            guard let u = index[id] else {
                let sample = dataset.userIDs.prefix(5).joined(separator: ", ")
                throw DataError(file: data.label, "no user `\(id.abbreviated(to: 80))` in the dataset (\(dataset.userCount) users, e.g. \(sample))")
            }
            return History(user: id, items: dataset.sequence(u).map { (dataset.vocabulary.externalID($0), 0) })
        }
    }

    func readHistories() throws -> [History] {
        if let items {
            let ids = items.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
            guard !ids.isEmpty else { throw ValidationError("--items is empty") }
            return [History(user: "input", items: ids.map { ($0, 1) })]
        }
        let path = input!
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError(file: path, "cannot be read") }
        var out: [History] = [], index: [String: Int] = [:]
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }   // a UTF-8 byte-order mark is not part of the first user id
        // Lines end in LF or CRLF (a "\r\n" pair is one Character, so split on isNewline).
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.split(whereSeparator: { $0 == "," || $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
            if n == 0, fields.first?.lowercased() == "user" { continue }
            guard fields.count >= 2 else {
                throw DataError(file: path, line: n + 1, "expected `user<sep>item`, found \(fields.count) field(s)")
            }
            if let i = index[fields[0]] { out[i].items.append((fields[1], n + 1)) } else {
                index[fields[0]] = out.count
                out.append(History(user: fields[0], items: [(fields[1], n + 1)]))
            }
        }
        guard !out.isEmpty else { throw DataError(file: path, "no histories") }
        return out
    }
}
