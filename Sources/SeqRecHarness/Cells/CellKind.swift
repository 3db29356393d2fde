import Foundation
import SeqRecCore

/// What computing one cell produced (the rest of a `CellResult` is filled in by the runner).
struct CellOutput {
    var metrics: [String: Double] = [:]
    var perUser: [String: [Double]]? = nil
    var fingerprint = "analytic"
    var steps: Int? = nil
    var splitProtocol: String? = nil
    var evaluationProtocol: String? = nil
    var skipped: String? = nil
    /// Standard errors of metrics without per-user vectors here (e.g. the best validation NDCG@10).
    var standardErrors: [String: Double]? = nil
    /// See `CellResult.curves`.
    var curves: [String: [Double]]? = nil
}

/// A spec kind (`statistics`, `memory`, `training`, `scoring`): how its cells are planned, keyed
/// and computed. One file per kind plus one line in `CellKinds.registry`; the harness switches on
/// no kind strings.
struct CellKind: Registered {
    let id: String
    /// Cells read a dataset (the row's, else the spec's first).
    let usesDataset: Bool
    /// The scale's `dataset` overrides the row's (training scales choose their data).
    let scaleChoosesDataset: Bool
    /// One cell per seed (else the first seed only).
    let perSeed: Bool
    /// One cell per catalogue size of the scale (`sizes`), ordered by size.
    let perSize: Bool
    /// Rows carry per-user vectors, so the report marks paired significance.
    let pairedSignificance: Bool
    /// Spec checks specific to the kind (components the rows name).
    let validate: (ExperimentSpec) throws -> Void
    /// The resolved configuration of a cell: what its cache key hashes.
    let resolve: (CellRunner, Cell) throws -> JSONValue
    /// Computes the cell from its resolved config and key (a training cell's run directory).
    let compute: (CellRunner, Cell, JSONValue, String) throws -> CellOutput
    /// Whether a metric of this kind's cells has a standard error (per-user values), so a
    /// published value of it is judged within two standard errors (`VerdictRule.se`).
    var hasStandardError: (String) -> Bool = { _ in false }
}

enum CellKinds {
    /// Every spec kind: one line each.
    static let registry = Registry<CellKind>(family: "spec kind", [
        StatisticsCell.kind,
        MemoryCell.kind,
        TrainingCell.kind,
        ScoringCell.kind,
        PruningCell.kind,
        TrainedPruningCell.kind,
    ])
}
