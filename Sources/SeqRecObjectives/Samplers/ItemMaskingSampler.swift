import SeqRecCore
import SeqRecData
import SeqRecTensor

/// Item masking (thesis §2.3.4, the Cloze objective of BERT4Rec): the window is the user's last
/// L training items, left-padded; n = min(maxMasks, max(1, round(len · maskingProbability)))
/// positions, drawn uniformly without replacement among the real ones, are replaced by
/// [MASK] = N + 1 and must be predicted. As the authors' aprec code ("Ours", reference-facts
/// §3.2), `len` is the user's whole training length, not the window's, and every chosen item
/// becomes [MASK] (BERT's 80/10/10 rule is off in all their scripts). With probability
/// `lastItemOnly` a sequence masks only its last item instead — the original BERT4Rec code's
/// extra training sequences (1 of 11 per window: `dupe_factor` 10 plus one `mask_last`),
/// which match the inference input (history + [MASK]).
public struct ItemMaskingSampler: SequenceSampler {
    public static let id = "item-masking"
    /// The sampler's own keys.
    public struct Config: Codable, Sendable, Equatable {
        /// Share of a sequence's items masked (0, 1); "Ours" 0.2.
        public var maskingProbability = 0.2
        /// At most this many masks per sequence ("Ours" 20).
        public var maxMasks = 20
        /// Probability that a sequence masks only its last item [0, 1]; the original code's 1/11.
        public var lastItemOnly = 1.0 / 11.0
        public init() {}
    }
    public static let entry = SequenceSamplerEntry(id: id, section: "objective", summary: "item masking (Cloze): predict masked items of the window (BERT4Rec)",
                                                   config: Config.self, defaults: Config()) { c, n in
        try ItemMaskingSampler(config: c, itemCount: n)
    }

    public let config: Config
    /// [MASK] = N + 1.
    public let maskID: Int32

    /// - Throws: `HyperparameterError` naming `maskingProbability` outside (0, 1), `maxMasks` < 1,
    ///   or `lastItemOnly` outside [0, 1].
    public init(config: Config, itemCount: Int) throws {
        try HyperparameterError.check("maskingProbability", config.maskingProbability, in: Double.leastNonzeroMagnitude..<1.0)
        try HyperparameterError.checkAtLeast("maxMasks", config.maxMasks, 1)
        try HyperparameterError.check("lastItemOnly", config.lastItemOnly, in: 0.0...1.0)
        self.config = config
        maskID = Int32(itemCount + 1)
    }

    public var minimumTrainingLength: Int { 1 }

    public func batch(_ split: DatasetSplit, users: [Int], length: Int, rng: inout SplitMix64) -> TrainingBatch {
        var inputs: [Int32] = [], positions: [Int32] = [], targets: [Int32] = []
        inputs.reserveCapacity(users.count * length)
        for (b, u) in users.enumerated() {
            let sequence = split.trainSequence(u)
            var window = Padding.leftPadded(sequence, length: length)
            let real = Swift.min(sequence.count, length)
            var chosen: [Int]
            if real == 0 {
                chosen = []   // nothing to predict (callers train on users with ≥ minimumTrainingLength items)
            } else if rng.nextUniformDouble() < config.lastItemOnly {
                chosen = [length - 1]
            } else {
                let n = Swift.min(config.maxMasks, real, Swift.max(1, Int((Double(sequence.count) * config.maskingProbability).rounded())))
                // A partial Fisher–Yates shuffle of the real positions: n distinct, uniformly.
                var slots = Array((length - real)..<length)
                for i in 0..<n { slots.swapAt(i, i + rng.nextInt(below: real - i)) }
                chosen = Array(slots.prefix(n)).sorted()
            }
            for i in chosen {
                positions.append(Int32(b * length + i))
                targets.append(window[i])
                window[i] = maskID
            }
            inputs += window
        }
        return TrainingBatch(inputs: IDTensor(shape: [users.count, length], ids: inputs), positions: positions, targets: targets)
    }
}
