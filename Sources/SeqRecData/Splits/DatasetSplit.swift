/// One evaluation case: user `user`'s input is the first `inputLength` items of their known
/// sequence, and `target` is the held-out next item.
public struct EvaluationCase: Sendable, Hashable, Codable {
    public let user: Int
    public let inputLength: Int
    public let target: Int32

    public init(user: Int, inputLength: Int, target: Int32) {
        self.user = user
        self.inputLength = inputLength
        self.target = target
    }
}

/// Counts of what a split could not use, reported rather than silently dropped.
public struct SplitReport: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Users too short to give a test case (kept for training only, if at all).
    public var usersWithoutTest = 0
    /// Users eligible for validation but too short to give one.
    public var usersWithoutValidation = 0
    /// Users whose test input is unknown in the source files (gSASRec port split).
    public var usersWithUnknownTestInput = 0
    /// Free-text notes on protocol decisions.
    public var notes: [String] = []

    public init() {}

    public var description: String {
        "users without test case: \(usersWithoutTest); without validation case: \(usersWithoutValidation); "
            + "with unknown test input: \(usersWithUnknownTestInput)" + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
    }
}

/// Training sequences plus validation and test cases over one dataset, made before any
/// windowing or augmentation. Every input is a prefix of the user's known sequence and every
/// target the item right after it, so no input can contain its own target's position.
public struct DatasetSplit: Sendable {
    /// The known sequences (inputs and targets index into these).
    public let dataset: SequenceDataset
    /// Per user: how many leading items are training data (0 = none).
    public let trainLengths: [Int]
    public let validation: [EvaluationCase]
    public let test: [EvaluationCase]
    public let report: SplitReport
    /// The protocol in words, recorded with results.
    public let protocolDescription: String

    public init(dataset: SequenceDataset, trainLengths: [Int], validation: [EvaluationCase],
                test: [EvaluationCase], report: SplitReport, protocolDescription: String) {
        require(trainLengths.count == dataset.userCount, "DatasetSplit: one train length per user")
        for c in validation + test {
            require(c.inputLength < dataset.length(c.user) && dataset.sequence(c.user)[dataset.offsets[c.user] + c.inputLength] == c.target,
                    "DatasetSplit: case for user \(c.user) is not 'prefix then target'")
        }
        self.dataset = dataset
        self.trainLengths = trainLengths
        self.validation = validation
        self.test = test
        self.report = report
        self.protocolDescription = protocolDescription
    }

    /// The training sequence of user `u`.
    public func trainSequence(_ u: Int) -> ArraySlice<Int32> {
        let s = dataset.offsets[u]
        return dataset.items[s..<(s + trainLengths[u])]
    }

    /// The input history of a case (the user's items before the target).
    public func input(_ c: EvaluationCase) -> ArraySlice<Int32> {
        let s = dataset.offsets[c.user]
        return dataset.items[s..<(s + c.inputLength)]
    }

    /// Each item's share of the training interactions (index = internal id): PCOUNT's popularity.
    public func trainItemShares() -> [Double] {
        let counts = trainItemCounts()
        let total = Double(Swift.max(counts.reduce(0, +), 1))
        return counts.map { Double($0) / total }
    }

    /// Interactions per item id in the training data (index = internal id).
    public func trainItemCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: dataset.vocabulary.size)
        for u in 0..<dataset.userCount { for i in trainSequence(u) { counts[Int(i)] += 1 } }
        return counts
    }
}

import SeqRecCore
