import Foundation
import SeqRecCore

/// The cached result of one cell (row × dataset × seed [× catalogue size]) of a spec, stored as
/// `cells/<key>.json` where the key is the content hash of what determines the result: the
/// resolved config, the dataset fingerprint, the seed and the code version.
public struct CellResult: Codable, Sendable {
    public var key: String
    public var row: String
    public var dataset: String
    public var seed: UInt64
    /// Scoring cells: the catalogue size.
    public var items: Int?
    public var metrics: [String: Double]
    /// Per test user, for paired significance tests (training cells).
    public var perUser: [String: [Double]]?
    /// Standard errors of metrics that have no per-user vector here (the best validation NDCG@10).
    public var standardErrors: [String: Double]?
    /// Curves of a cell (Fig. 5.4: mean predicted probability@K and Precision@K, K = 1…, and the
    /// Theorem 5.5.1 prediction), drawn by `calibration` figures.
    public var curves: [String: [Double]]?
    public var record: Record
    /// Why the cell has no numbers (e.g. its dataset is absent, or it would not fit in memory).
    public var skipped: String?

    public struct Record: Codable, Sendable {
        /// The resolved configuration (training cells: the full `RunConfig`).
        public var config: JSONValue
        public var fingerprint: String
        public var environment: RunEnvironment
        public var seconds: Double
        public var steps: Int?
        public var splitProtocol: String?
        public var evaluationProtocol: String?
        public var codeVersion: String
        public var finished: String
    }

    /// Bump when a change alters results, so cached cells are recomputed.
    public static let codeVersion = "seqrec-cells-1"

    func write(to path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(e.encode(self), to: path)
    }

    static func read(path: String) -> CellResult? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? d.decode(CellResult.self, from: data)
    }
}
