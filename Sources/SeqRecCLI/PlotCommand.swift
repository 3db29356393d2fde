import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecHarness

/// `seqrec plot`: learning curves of training runs as SVG (thesis Figs. 5.7 / 5.8 — validation
/// NDCG@10 and gradient norm over training steps), one series per run, from each run's `log.jsonl`.
public struct PlotCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot learning curves (validation NDCG@10, gradient norm, loss) of training runs as SVG.")

    @Argument(help: "Run directories (or their log.jsonl files); one series each.")
    var runs: [String]

    @Option(help: "Comma-separated series labels, one per run (default: the directory names).")
    var labels: String?

    @Option(help: "Curves to draw, comma-separated: \(LearningCurve.Quantity.allCases.map(\.rawValue).joined(separator: ", ")).")
    var curves = "ndcg,grad-norm"

    @Option(help: "x axis: steps | minutes")
    var x = "steps"

    @Flag(help: "Logarithmic y axis (gradient norms span orders of magnitude).")
    var logY = false

    @Option(help: "Directory for the SVG files (learning-<curve>.svg), created if missing.")
    var out = "plots"

    public init() {}

    public func validate() throws {
        if runs.isEmpty { throw ValidationError("give at least one run directory") }
        for c in curves.split(separator: ",") where LearningCurve.Quantity(rawValue: String(c)) == nil {
            throw ValidationError(ConfigError.unknownComponent(family: "curve (--curves)", id: String(c),
                                                               valid: LearningCurve.Quantity.allCases.map(\.rawValue)).description)
        }
        if LearningCurve.Axis(rawValue: x) == nil {
            throw ValidationError(ConfigError.unknownComponent(family: "x axis (--x)", id: x, valid: LearningCurve.Axis.allCases.map(\.rawValue)).description)
        }
        if let labels, labels.split(separator: ",", omittingEmptySubsequences: false).count != runs.count {
            throw ValidationError("--labels: give one label per run (\(runs.count))")
        }
    }

    public func run() throws { print(try render(), terminator: "") }

    public func render() throws -> String {
        let names = labels.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let loaded = try runs.enumerated().map { i, path in try LearningCurve.load(run: path, label: names?[i]) }
        let axis = LearningCurve.Axis(rawValue: x)!
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw FileError(file: out, "cannot create the output directory (\(error.localizedDescription))")
        }
        var s = "| run | epochs | steps | minutes | best validation NDCG@10 |\n| --- | --- | --- | --- | --- |\n"
        for c in loaded {
            let last = c.epochs.last!, b = c.best
            s += "| \(c.label) | \(last.epoch) | \(last.steps) | " + String(format: "%.1f", last.totalSeconds / 60)
                + String(format: " | %.4f (epoch %d, step %d) |\n", b.ndcg, b.epoch, b.steps)
        }
        for q in curves.split(separator: ",").compactMap({ LearningCurve.Quantity(rawValue: String($0)) }) {
            let path = out + "/learning-\(q.rawValue).svg"
            try AtomicFile.write(Data(LearningCurve.svg(loaded, quantity: q, x: axis, logY: logY).utf8), to: path)
            s += "wrote \(path)\n"
        }
        return s
    }
}
