import Foundation
import SeqRecBaselines
import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecScoring
import SeqRecTensor

/// One cell to compute: a row of the spec on a dataset with a seed (and, for scoring, a size).
struct Cell {
    let row: ExperimentSpec.Row
    let dataset: ExperimentSpec.DatasetRef?
    let seed: UInt64
    let items: Int?
}

/// Computes cells of each spec kind. Training cells train through `TrainingRun` in their own
/// run directory with `resume`, so an interrupted cell continues from its last epoch.
struct CellRunner {
    let spec: ExperimentSpec
    let scale: ExperimentSpec.Scale
    let scaleName: String
    let loader: DatasetLoader
    let runsDirectory: String
    /// Where and how this run computes (captured once per run, recorded in every cell).
    let environment: RunEnvironment
    let scoring = ScoringCell()
    let pruning = PruningCell()
    let trainedPruning = TrainedPruningCell()
    let log: (String) -> Void
    /// The status line of the cell in progress (training step, rate, loss, ETA), or nil.
    var display: ProgressDisplay? = nil
    /// What the status line calls the cell in progress ("[2/6] sasrec seed 42").
    var cellLabel = ""

    /// Shows a training cell's event: messages in the log, statuses on the status line.
    func show(_ event: TrainingEvent) {
        switch event {
        case .message(let m): log("    " + m)
        case .status(let p): display?.status("[reproduce] \(cellLabel): " + p.summary)
        }
    }

    /// The kind of the spec's cells.
    var kind: CellKind { try! CellKinds.registry.entry(spec.kind) }

    /// The resolved configuration of a cell (what its key hashes).
    func resolvedConfig(_ cell: Cell) throws -> JSONValue { try kind.resolve(self, cell) }

    /// The content-hash key of a cell (its cache file name and run directory). The spec's sampled
    /// evaluation protocol changes what a cell computes, so it is hashed too (only when set: keys of
    /// specs without it are unchanged).
    func key(_ cell: Cell, config: JSONValue) throws -> String {
        let fingerprint = try cell.dataset.flatMap { try loader.load($0)?.split.dataset.fingerprint.description } ?? "none"
        let sampled = spec.sampledEvaluation.map { [Data("sampled \($0.negatives) \($0.seed)".utf8)] } ?? []
        // Metrics beyond the recorded ones are part of what a training cell computes (keys of
        // specs without them are unchanged).
        var extra = spec.kind == TrainingCell.kind.id && !ExtraMetrics.names(spec).isEmpty
            ? [Data(("metrics " + ExtraMetrics.names(spec).joined(separator: ",")).utf8)] : []
        if spec.kind == TrainingCell.kind.id, let depth = CalibrationCurve.depth(spec) { extra.append(Data("calibration curve \(depth)".utf8)) }
        return contentHash([Data(spec.kind.utf8), config.canonical, Data(fingerprint.utf8), Data(String(cell.seed).utf8),
                            Data(CellResult.codeVersion.utf8)] + sampled + extra)
    }

    func compute(_ cell: Cell, key: String, config: JSONValue) throws -> CellResult {
        let clock = Stopwatch()
        let out = try kind.compute(self, cell, config, key)
        let record = CellResult.Record(config: config, fingerprint: out.fingerprint,
                                       environment: environment, seconds: clock.elapsedSeconds,
                                       steps: out.steps, splitProtocol: out.splitProtocol, evaluationProtocol: out.evaluationProtocol,
                                       codeVersion: CellResult.codeVersion, finished: ISO8601DateFormatter().string(from: Date()))
        return CellResult(key: key, row: cell.row.id, dataset: cell.dataset?.name ?? "", seed: cell.seed, items: cell.items,
                          metrics: out.metrics, perUser: out.perUser, standardErrors: out.standardErrors, curves: out.curves, record: record,
                          skipped: out.skipped)
    }
}
