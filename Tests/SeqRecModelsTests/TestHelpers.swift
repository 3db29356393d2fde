import SeqRecCore
import SeqRecData
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// A shifted-sequence batch from explicit windows: every non-padding label is a target.
func shiftedBatch(inputs: [Int32], labels: [Int32], batch b: Int) -> TrainingBatch {
    let l = inputs.count / b
    var positions: [Int32] = [], targets: [Int32] = []
    for (r, label) in labels.enumerated() where label != 0 {
        positions.append(Int32(r))
        targets.append(label)
    }
    return TrainingBatch(inputs: IDTensor(shape: [b, l], ids: inputs), positions: positions, targets: targets)
}

/// The shifted objective with uniform negatives and `loss`.
func shiftedObjective(_ loss: any Loss, items: Int, shared: Bool = false) -> TrainingObjective {
    TrainingObjective(sampler: ShiftedSequenceSampler(), negativeSampler: UniformNegativeSampler(shared: shared), loss: loss, itemCount: items)
}

/// `steps` optimisation steps on random users through the one `TrainStep`; false if any was non-finite.
@discardableResult
func trainSteps(_ model: any SequentialModel, _ split: DatasetSplit, _ objective: TrainingObjective, steps: Int,
                batch: Int = 64, learningRate: Float = 3e-3, seed: UInt64 = 9) throws -> Bool {
    let step = TrainStep(model: model, objective: objective, optimizer: try Adam(learningRate: learningRate, beta2: 0.98))
    var rng = SplitMix64(seed: seed)
    let users = (0..<split.dataset.userCount).filter { split.trainLengths[$0] >= objective.sampler.minimumTrainingLength }
    var finite = true
    for _ in 0..<steps {
        let batchUsers = (0..<batch).map { _ in users[rng.nextInt(below: users.count)] }
        finite = step(split, users: batchUsers, rng: &rng).isFinite && finite
    }
    return finite
}
