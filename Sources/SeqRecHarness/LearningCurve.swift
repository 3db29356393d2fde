import Foundation
import SeqRecCore
import SeqRecModels

/// The learning curve of one training run, read from its `log.jsonl` (one epoch a line): the
/// validation NDCG@10 and the gradient norm over training steps of the thesis's Figs. 5.7 / 5.8
/// (how gSASRec's and SASRec's training evolve), or the loss.
public struct LearningCurve: Sendable {
    public let label: String
    public let epochs: [TrainingReport.EpochRecord]

    /// What a curve plots on its y axis.
    public enum Quantity: String, CaseIterable, Sendable {
        case ndcg, recall, gradNorm = "grad-norm", loss

        var title: String {
            switch self {
            case .ndcg: return "validation NDCG@10"
            case .recall: return "validation Recall@10"
            case .gradNorm: return "gradient norm (mean over the epoch's steps)"
            case .loss: return "training loss (mean over the epoch)"
            }
        }

        func value(_ r: TrainingReport.EpochRecord) -> Double {
            switch self {
            case .ndcg: return r.validationNDCG
            case .recall: return r.validationRecall
            case .gradNorm: return r.gradientNorm
            case .loss: return r.meanLoss
            }
        }
    }

    /// What a curve plots on its x axis.
    public enum Axis: String, CaseIterable, Sendable {
        case steps, minutes

        func value(_ r: TrainingReport.EpochRecord) -> Double { self == .steps ? Double(r.steps) : r.totalSeconds / 60 }
    }

    public init(label: String, epochs: [TrainingReport.EpochRecord]) {
        self.label = label
        self.epochs = epochs
    }

    /// Reads a run directory (or its `log.jsonl`). A line that is not an epoch record is an
    /// error naming file and line; so is a log without epochs.
    public static func load(run path: String, label: String? = nil) throws -> LearningCurve {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let file = exists && isDirectory.boolValue ? path + "/log.jsonl" : path
        guard FileManager.default.fileExists(atPath: file) else {
            throw FileError(file: path, exists ? "no log.jsonl: not a training run directory" : "no such file or directory")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw FileError(file: file, "cannot be read (\(error.localizedDescription))")
        }
        let decoder = JSONDecoder()
        var epochs: [TrainingReport.EpochRecord] = []
        for (i, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            do {
                epochs.append(try decoder.decode(TrainingReport.EpochRecord.self, from: Data(line)))
            } catch {
                throw FileError(file: "\(file):\(i + 1)", "not an epoch record of a training log")
            }
        }
        guard !epochs.isEmpty else { throw FileError(file: file, "no epochs logged yet") }
        let name = label ?? URL(fileURLWithPath: exists && isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent)
            .standardizedFileURL.lastPathComponent
        return LearningCurve(label: name, epochs: epochs)
    }

    /// The best validation NDCG@10 and the epoch and step it was reached at.
    public var best: (ndcg: Double, epoch: Int, steps: Int) {
        let b = epochs.max { $0.validationNDCG < $1.validationNDCG }!
        return (b.validationNDCG, b.epoch, b.steps)
    }

    /// One SVG line chart with a series per run.
    public static func svg(_ curves: [LearningCurve], quantity: Quantity, x: Axis, logY: Bool = false) -> String {
        SVGChart.line(title: quantity.title + " over training", xLabel: x == .steps ? "training steps" : "training minutes",
                      yLabel: quantity.title, series: curves.map { c in (c.label, c.epochs.map { (x.value($0), quantity.value($0)) }) },
                      logX: false, logY: logY)
    }
}
