import SeqRecCore
import ArgumentParser

/// The `seqrec` command line. One file per subcommand plus one entry in `subcommands`.
public struct SeqRecCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "seqrec",
        abstract: "Transformer-based sequential recommendation on the CPU.",
        subcommands: [StatsCommand.self, BaselinesCommand.self, TrainCommand.self, ModelsCommand.self, EvaluateCommand.self, RecommendCommand.self, QuickstartCommand.self, CompareCommand.self, ReproduceCommand.self, PlotCommand.self, ScoreCommand.self])

    public init() {}
}
