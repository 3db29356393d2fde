import SeqRecCore
import SeqRecData

/// A sub-item id assignment strategy (thesis §6.4.1). One file per strategy plus one line in
/// `CodeAssignments.registry`.
public protocol CodeAssignment {
    static var id: String { get }
    /// Assigns codes for the vocabulary of `split.dataset` from its training data.
    func assign(_ split: DatasetSplit, splits m: Int, subIDs b: Int) throws -> RecJPQCodebook
}

/// A registered assignment strategy: its id and how to build it with a seed.
public struct CodeAssignmentEntry: Registered {
    public let id: String
    public let make: (UInt64) -> any CodeAssignment
}

public enum CodeAssignments {
    /// Every strategy: one line each.
    public static let registry = Registry<CodeAssignmentEntry>(family: "assignment", [
        CodeAssignmentEntry(id: RandomAssignment.id) { RandomAssignment(seed: $0) },
        CodeAssignmentEntry(id: SVDAssignment.id) { SVDAssignment(seed: $0) },
        CodeAssignmentEntry(id: BPRAssignment.id) { BPRAssignment(seed: $0) },
        CodeAssignmentEntry(id: QuotientRemainderAssignment.id) { _ in QuotientRemainderAssignment() },
    ])

    public static var all: [String] { registry.ids }

    /// The strategy named `id` with its defaults and `seed`.
    /// - Throws: `HyperparameterError` naming `assignment` and the choices for an unknown id.
    public static func make(_ id: String, seed: UInt64) throws -> any CodeAssignment {
        guard let entry = try? registry.entry(id) else {
            throw HyperparameterError(key: "assignment", value: id, allowed: all.joined(separator: ", "))
        }
        return entry.make(seed)
    }
}

/// The discretisation shared by the SVD and BPR strategies (authors' code, reference-facts
/// §7.2): per component, min-max normalise over items (denominator + 1e-10), add Gaussian noise
/// with **standard deviation** 1e-5 (the thesis says variance; the code's std is used), then
/// cut into `b` equal-frequency (quantile) bins, ordinal. Padding and mask rows get sub-id 0.
enum Discretisation {
    /// `vectors[i]` is item (internal id i+1)'s vector of `m` components.
    static func quantileCodes(_ vectors: [[Float]], vocabularySize: Int, subIDs b: Int, seed: UInt64) -> [Int32] {
        let n = vectors.count, m = vectors.first?.count ?? 0
        var codes = [Int32](repeating: 0, count: vocabularySize * m)
        var rng = SplitMix64(seed: seed)
        for k in 0..<m {
            let column = vectors.map { $0[k] }
            let lo = column.min() ?? 0, hi = column.max() ?? 0
            let values = column.map { Double(($0 - lo) / (hi - lo + 1e-10)) + 1e-5 * Double(rng.nextNormal()) }
            // Quantile bins: the item at rank r falls into bin ⌊r·b/n⌋.
            let order = (0..<n).sorted { values[$0] != values[$1] ? values[$0] < values[$1] : $0 < $1 }
            for (rank, i) in order.enumerated() {
                codes[(i + 1) * m + k] = Int32(Swift.min(b - 1, rank * b / Swift.max(n, 1)))
            }
        }
        return codes
    }
}
