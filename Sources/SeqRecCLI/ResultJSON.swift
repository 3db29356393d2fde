import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval

/// `seqrec evaluate --json`: one object (schema `seqrec-evaluate/1`) with the metric means and
/// their standard errors, and per-case vectors aligned with `users` / `targets` (external ids, as
/// in the data file), so a notebook can join them with its own tables or run its own tests.
struct EvaluateJSON: Encodable {
    var schema = "seqrec-evaluate/1"
    let checkpoint: String
    let model: String
    let dataset: String
    let fingerprint: String
    /// "test" or "validation".
    let cases: String
    let evaluationProtocol: String
    let metrics: [String: Double]
    /// Standard error of each mean over the cases (sd / √n).
    let standardErrors: [String: Double]
    /// Cases whose target was removed by the seen-item filter (they score 0).
    let filteredTargets: Int
    /// Per case: the user's external id, the held-out item's external id, the history length.
    let users: [String]
    let targets: [String]
    let historyLengths: [Int]
    /// Per metric, one value per case in the order of `users`.
    let perCase: [String: [Double]]
    let calibration: Calibration?

    init(checkpoint: String, model: String, dataset: String, cases: String, result r: EvaluationResult, split: DatasetSplit) {
        let d = split.dataset
        self.checkpoint = checkpoint
        self.model = model
        self.dataset = dataset
        self.fingerprint = d.fingerprint.description
        self.cases = cases
        evaluationProtocol = r.protocolDescription
        metrics = r.means
        standardErrors = r.perCase.mapValues(StandardError.ofMean)
        filteredTargets = r.filteredTargets
        users = r.cases.map { d.userIDs[$0.user] }
        targets = r.cases.map { d.vocabulary.externalID($0.target) }
        historyLengths = r.cases.map(\.inputLength)
        perCase = r.perCase
        calibration = r.calibration
    }
}

/// `seqrec baselines --json`: one object (schema `seqrec-baselines/1`) with the dataset and
/// protocol, and `rows`: one flat object per model — `model`, each metric's mean under its name
/// and its standard error under `<metric> se` — ready for `pandas.DataFrame(json["rows"])`.
struct BaselinesJSON: Encodable {
    var schema = "seqrec-baselines/1"
    let dataset: String
    let fingerprint: String
    let testCases: Int
    let evaluationProtocol: String
    let rows: [[String: JSONValue]]

    init(dataset: String, split: DatasetSplit, protocolText: String, rows: [(String, [String: Double], EvaluationResult)]) {
        self.dataset = dataset
        fingerprint = split.dataset.fingerprint.description
        testCases = split.test.count
        evaluationProtocol = protocolText
        self.rows = rows.map { name, means, result in
            var row: [String: JSONValue] = ["model": .string(name)]
            for (m, v) in means { row[m] = .number(v) }
            for (m, v) in result.perCase { row[m + " se"] = .number(StandardError.ofMean(v)) }
            return row
        }
    }
}

extension Encodable {
    /// Pretty, key-sorted JSON (stable diffs) for the `--json` outputs.
    func prettyJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
