import SeqRecCore

/// Leave-one-out exactly as thesis §2.4.1: for a sequence s of length n, the test target is
/// s[n−1] with input s[..<n−1] (which includes the validation item), the validation target is
/// s[n−2] with input s[..<n−2], and training uses s[..<n−2].
///
/// Validation is on every user or on a fixed seeded sample (`validationUsers`); the training
/// data is the same either way. Users with 2 items give a test case and train on 1 item but
/// have no validation case; users with 1 item only train. Both are counted in the report.
public struct LeaveOneOut: Sendable, Codable, Equatable {
    /// nil = validate on all users; otherwise a seeded sample of this many users.
    public var validationUsers: Int?
    public var seed: UInt64

    public init(validationUsers: Int? = nil, seed: UInt64 = 31_337) {
        self.validationUsers = validationUsers
        self.seed = seed
    }

    public func split(_ d: SequenceDataset) throws -> DatasetSplit {
        if let v = validationUsers { try HyperparameterError.checkAtLeast("validationUsers", v, 1) }
        var report = SplitReport()
        var train = [Int](repeating: 0, count: d.userCount)
        var test: [EvaluationCase] = [], eligible: [Int] = []
        for u in 0..<d.userCount {
            let n = d.length(u)
            let s = d.offsets[u]
            if n >= 2 {
                test.append(EvaluationCase(user: u, inputLength: n - 1, target: d.items[s + n - 1]))
            } else {
                report.usersWithoutTest += 1
            }
            if n >= 3 { eligible.append(u) } else if n == 2 { report.usersWithoutValidation += 1 }
            train[u] = n >= 3 ? n - 2 : (n == 2 ? 1 : n)
        }
        var chosen = eligible
        if let v = validationUsers, v < eligible.count {
            var rng = SplitMix64(seed: seed)
            for i in 0..<v { chosen.swapAt(i, i + rng.nextInt(below: chosen.count - i)) }
            chosen = Array(chosen.prefix(v)).sorted()
        }
        let validation = chosen.map { u in
            EvaluationCase(user: u, inputLength: d.length(u) - 2, target: d.items[d.offsets[u] + d.length(u) - 2])
        }
        let who = validationUsers.flatMap { $0 < eligible.count ? "a seeded sample of \($0) users (seed \(seed))" : nil } ?? "all users"
        return DatasetSplit(dataset: d, trainLengths: train, validation: validation, test: test, report: report,
                            protocolDescription: "leave-one-out (thesis 2.4.1): test = last item, input = all before it "
                                + "(includes the validation item); validation = second-to-last item on \(who); train = the rest")
    }
}
