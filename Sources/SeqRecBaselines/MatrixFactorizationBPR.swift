import SeqRecCore
import SeqRecData
import SeqRecEval

/// Matrix factorisation trained with Bayesian Personalised Ranking (Rendle et al., UAI 2009):
/// score(u, i) = pᵤ·qᵢ + bᵢ; for sampled triples (u, i ∈ train(u), j ∉ train(u)) maximise
/// ln σ(x̂ᵤᵢ − x̂ᵤⱼ) − λ‖θ‖² by SGD. The thesis uses 128 latent factors (LightFM's BPR in
/// chapter 8). Non-sequential: the user vector summarises the training history, so it scores
/// evaluation cases of users seen in training. Its item factors also seed RecJPQ's
/// discrete-BPR code assignment.
public struct MatrixFactorizationBPR: ItemScorer {
    public struct Config: Sendable, Codable, Equatable {
        public var factors = 128
        public var learningRate = 0.05
        public var regularization = 1e-4
        public var epochs = 20
        public var seed: UInt64 = 42
        public init(factors: Int = 128, learningRate: Double = 0.05, regularization: Double = 1e-4,
                    epochs: Int = 20, seed: UInt64 = 42) {
            self.factors = factors
            self.learningRate = learningRate
            self.regularization = regularization
            self.epochs = epochs
            self.seed = seed
        }
    }

    public let config: Config
    /// User factors, row-major `[users, factors]`.
    public private(set) var userFactors: [Float]
    /// Item factors, row-major `[vocabulary.size, factors]` (padding/mask rows stay zero).
    public private(set) var itemFactors: [Float]
    public private(set) var itemBias: [Float]

    /// Trains on the training part of `split`; one epoch = one sampled triple per training
    /// interaction.
    public init(split: DatasetSplit, config: Config = Config()) throws {
        try HyperparameterError.checkAtLeast("factors", config.factors, 1)
        try HyperparameterError.checkPositive("learningRate", config.learningRate)
        try HyperparameterError.check("regularization", config.regularization, in: 0.0...1.0)
        try HyperparameterError.checkAtLeast("epochs", config.epochs, 0)
        self.config = config
        let d = split.dataset, k = config.factors, n = d.vocabulary.itemCount
        var rng = SplitMix64(seed: config.seed)
        userFactors = (0..<(d.userCount * k)).map { _ in rng.nextNormal() * 0.1 }
        itemFactors = (0..<(d.vocabulary.size * k)).map { _ in rng.nextNormal() * 0.1 }
        for j in 0..<k { itemFactors[j] = 0; itemFactors[(n + 1) * k + j] = 0 }
        itemBias = [Float](repeating: 0, count: d.vocabulary.size)
        var pairs: [(Int, Int32)] = []
        var owned: [Set<Int32>] = []
        for u in 0..<d.userCount {
            let s = split.trainSequence(u)
            owned.append(Set(s))
            for i in s { pairs.append((u, i)) }
        }
        guard !pairs.isEmpty else { return }
        let lr = Float(config.learningRate), reg = Float(config.regularization)
        for _ in 0..<config.epochs {
            for _ in 0..<pairs.count {
                let (u, i) = pairs[rng.nextInt(below: pairs.count)]
                var j = Int32(1 + rng.nextInt(below: n))
                var tries = 0
                while owned[u].contains(j) && tries < 20 { j = Int32(1 + rng.nextInt(below: n)); tries += 1 }
                if owned[u].contains(j) { continue }
                let pu = u * k, qi = Int(i) * k, qj = Int(j) * k
                var x: Float = itemBias[Int(i)] - itemBias[Int(j)]
                for f in 0..<k { x += userFactors[pu + f] * (itemFactors[qi + f] - itemFactors[qj + f]) }
                let g = stableSigmoid(-x)   // d/dx ln σ(x) = σ(−x)
                itemBias[Int(i)] += lr * (g - reg * itemBias[Int(i)])
                itemBias[Int(j)] += lr * (-g - reg * itemBias[Int(j)])
                for f in 0..<k {
                    let p = userFactors[pu + f], a = itemFactors[qi + f], b = itemFactors[qj + f]
                    userFactors[pu + f] += lr * (g * (a - b) - reg * p)
                    itemFactors[qi + f] += lr * (g * p - reg * a)
                    itemFactors[qj + f] += lr * (-g * p - reg * b)
                }
            }
        }
    }

    public func score(_ cases: [EvaluationCase], items: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let k = config.factors, w = items.count
        for (r, c) in cases.enumerated() {
            let pu = c.user * k
            for (j, id) in items.enumerated() {
                let qi = Int(id) * k
                var s = itemBias[Int(id)]
                for f in 0..<k { s += userFactors[pu + f] * itemFactors[qi + f] }
                buffer[r * w + j] = s
            }
        }
    }
}

