import SeqRecCore
import SeqRecTensor

/// One batch of any training objective (shifting, item masking, …): left-padded input windows
/// and the targets the loss is computed on, each at a position of the window with a weight.
/// The output head scores the hidden state at each target position; padding never is a target.
public struct TrainingBatch {
    /// `[B, L]` input ids (0 = padding; item masking puts [MASK] = N + 1 at masked positions).
    public let inputs: IDTensor
    /// Flat indices `b·L + i` into `inputs` of each target's position, ascending.
    public let positions: [Int32]
    /// The item each position must predict (1…N).
    public let targets: [Int32]
    /// Per-target weights (1 for every target of today's objectives).
    public let weights: [Float]

    /// - Precondition: one position and weight per target, positions inside the window.
    public init(inputs: IDTensor, positions: [Int32], targets: [Int32], weights: [Float]? = nil) {
        require(positions.count == targets.count && (weights?.count ?? targets.count) == targets.count,
                "TrainingBatch: \(positions.count) positions, \(targets.count) targets, \(weights?.count ?? targets.count) weights")
        require(positions.allSatisfy { $0 >= 0 && Int($0) < inputs.count }, "TrainingBatch: a target position lies outside the \(inputs.shape) window")
        self.inputs = inputs
        self.positions = positions
        self.targets = targets
        self.weights = weights ?? [Float](repeating: 1, count: targets.count)
    }

    public var batchSize: Int { inputs.shape[0] }
    public var length: Int { inputs.shape[1] }
}
