import SeqRecCore
import SeqRecData
import SeqRecTensor

/// Sequence shifting (thesis §2.3.3, Fig. 2.9; SASRec, the gSASRec port): every position of a
/// user's last L + 1 training items predicts the next item, so a window of L inputs gives up
/// to L targets. Draws nothing from the RNG.
public struct ShiftedSequenceSampler: SequenceSampler {
    public static let id = "shifted"
    /// No keys of its own.
    public struct Config: Codable, Sendable, Equatable { public init() {} }
    public static let entry = SequenceSamplerEntry(id: id, section: "objective", summary: "sequence shifting: every position predicts the next item (SASRec)",
                                                   config: Config.self, defaults: Config()) { _, _ in ShiftedSequenceSampler() }

    public init() {}
    public var minimumTrainingLength: Int { 2 }

    public func batch(_ split: DatasetSplit, users: [Int], length: Int, rng: inout SplitMix64) -> TrainingBatch {
        var inputs: [Int32] = [], positions: [Int32] = [], targets: [Int32] = []
        inputs.reserveCapacity(users.count * length)
        for (b, u) in users.enumerated() {
            let window = Padding.leftPadded(split.trainSequence(u), length: length + 1)
            inputs += window.prefix(length)
            for (i, label) in window.dropFirst().enumerated() where label != ItemVocabulary.paddingID {
                positions.append(Int32(b * length + i))
                targets.append(label)
            }
        }
        return TrainingBatch(inputs: IDTensor(shape: [users.count, length], ids: inputs), positions: positions, targets: targets)
    }
}
