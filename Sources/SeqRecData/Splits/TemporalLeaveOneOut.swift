import SeqRecCore

/// Temporal leave-one-out with a global time threshold (thesis §7.2.4.1, which replaces
/// leave-one-out to avoid leaking the future across users): nothing at or after `testTime`
/// is ever used for training. A user with interactions on both sides of `testTime` gives a
/// test case whose input is everything before it and whose target is their first interaction
/// at or after it. Validation works the same way with `validationTime` < `testTime`.
/// Training uses only interactions before `validationTime`, so validation targets are never
/// trained on; interactions in [validationTime, testTime) serve as test inputs only.
public struct TemporalLeaveOneOut: Sendable, Codable, Equatable {
    public var validationTime: Double
    public var testTime: Double

    public init(validationTime: Double, testTime: Double) {
        self.validationTime = validationTime
        self.testTime = testTime
    }

    /// Thresholds at the given quantiles of all timestamps (e.g. 0.9 and 0.95).
    public static func quantiles(_ d: SequenceDataset, validation: Double, test: Double) throws -> TemporalLeaveOneOut {
        guard let ts = d.timestamps else { throw DataError(file: d.name, "temporal split needs timestamps") }
        try HyperparameterError.check("validationQuantile", validation, in: 0.0...1.0)
        try HyperparameterError.check("testQuantile", test, in: validation...1.0)
        let sorted = ts.sorted()
        func q(_ p: Double) -> Double { sorted[Swift.min(sorted.count - 1, Int(p * Double(sorted.count)))] }
        return TemporalLeaveOneOut(validationTime: q(validation), testTime: q(test))
    }

    public func split(_ d: SequenceDataset) throws -> DatasetSplit {
        guard let ts = d.timestamps else { throw DataError(file: d.name, "temporal split needs timestamps") }
        guard validationTime <= testTime else {
            throw HyperparameterError(key: "validationTime", value: "\(validationTime)", allowed: "(−∞, testTime = \(testTime)]")
        }
        var report = SplitReport()
        var train = [Int](repeating: 0, count: d.userCount)
        var validation: [EvaluationCase] = [], test: [EvaluationCase] = []
        for u in 0..<d.userCount {
            let s = d.offsets[u], n = d.length(u)
            // Sequences are time-ordered, so the thresholds cut each one into prefixes.
            var beforeTest = 0
            while beforeTest < n && ts[s + beforeTest] < testTime { beforeTest += 1 }
            var beforeVal = 0
            while beforeVal < n && ts[s + beforeVal] < validationTime { beforeVal += 1 }
            train[u] = beforeVal
            if beforeTest > 0 && beforeTest < n {
                test.append(EvaluationCase(user: u, inputLength: beforeTest, target: d.items[s + beforeTest]))
            } else {
                report.usersWithoutTest += 1
            }
            if beforeVal > 0 && beforeVal < beforeTest {
                validation.append(EvaluationCase(user: u, inputLength: beforeVal, target: d.items[s + beforeVal]))
            } else {
                report.usersWithoutValidation += 1
            }
        }
        return DatasetSplit(dataset: d, trainLengths: train, validation: validation, test: test, report: report,
                            protocolDescription: "temporal leave-one-out: train < \(validationTime); test = first item at/after \(testTime) "
                                + "after the user's earlier items; validation likewise at \(validationTime)")
    }
}
