import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

/// A training objective (thesis §2.3): which batches are cut (the sequence sampler), which
/// negatives are drawn for them, and which loss is applied to the output head's logits.
public struct TrainingObjective {
    public let sampler: any SequenceSampler
    public let negativeSampler: any NegativeSampler
    public let loss: any Loss
    /// N, the number of real items.
    public let itemCount: Int

    public init(sampler: any SequenceSampler, negativeSampler: any NegativeSampler = UniformNegativeSampler(), loss: any Loss, itemCount: Int) {
        self.sampler = sampler
        self.negativeSampler = negativeSampler
        self.loss = loss
        self.itemCount = itemCount
    }

    /// The next batch and its negatives (nil for full-catalogue losses, which draw none). The
    /// sampler draws from `rng` first, then the negative sampler.
    public func batch(_ split: DatasetSplit, users: [Int], length: Int, rng: inout SplitMix64) -> (TrainingBatch, IDTensor?) {
        let batch = sampler.batch(split, users: users, length: length, rng: &rng)
        guard case .sampledNegatives(let k) = loss.requirement else { return (batch, nil) }
        return (batch, negativeSampler.negatives(for: batch, k: k, itemCount: itemCount, rng: &rng))
    }

    /// The loss of one batch, recorded when called inside `valueAndGradient`.
    public func loss(_ model: any SequentialModel, _ batch: TrainingBatch, negatives: IDTensor?, _ context: inout ForwardContext) -> Tensor {
        let hidden = model.encode(batch.inputs, &context)
        return loss(OutputHead.lossInput(model, hidden: hidden, batch: batch, negatives: negatives,
                                         requirement: loss.requirement, &context))
    }
}

/// One optimisation step — the only one: the trainer, the model benchmark and the README's
/// example all call it. Zeroes gradients, records the loss of a batch, and applies Adam only when
/// the loss and the global gradient norm are finite (otherwise the weights are left untouched).
public struct TrainStep {
    public let model: any SequentialModel
    public let objective: TrainingObjective
    public let optimizer: Adam
    let pool = BufferPool()

    public init(model: any SequentialModel, objective: TrainingObjective, optimizer: Adam) {
        self.model = model
        self.objective = objective
        self.optimizer = optimizer
    }

    /// What one step did.
    public struct Outcome {
        public let loss: Float
        /// Global L2 norm of the gradient.
        public let gradientNorm: Float
        public var isFinite: Bool { loss.isFinite && gradientNorm.isFinite }
    }

    /// Draws the next batch from `rng` (sampler, negatives, then the dropout seed) and trains on it.
    public func callAsFunction(_ split: DatasetSplit, users: [Int], rng: inout SplitMix64) -> Outcome {
        let (batch, negatives) = objective.batch(split, users: users, length: model.maxLength, rng: &rng)
        return self(batch, negatives: negatives, seed: rng.next())
    }

    /// Trains on a given batch; `seed` determines every dropout mask.
    public func callAsFunction(_ batch: TrainingBatch, negatives: IDTensor?, seed: UInt64) -> Outcome {
        model.zeroGradients()
        var context = ForwardContext(training: true, seed: seed)
        let value = pool.withPool { valueAndGradient { objective.loss(model, batch, negatives: negatives, &context) } }
        let norm = GradientClipping.globalNorm(model.parameters)
        let outcome = Outcome(loss: value, gradientNorm: norm)
        if outcome.isFinite { optimizer.step(model.parameters) }
        return outcome
    }
}
