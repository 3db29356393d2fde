import SeqRecCompression
import SeqRecCore
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor
import SeqRecTestSupport
import Testing

/// The whole SASRec training loss against finite differences, for every parameter (dropout
/// off so the loss is deterministic): embeddings, positions, both blocks, the final norm and
/// the output table, through padding, the real-position gather and each loss path.
@Suite struct ModelGradientTests {
    func batch(shared: Bool) -> (TrainingBatch, IDTensor) {
        let inputs: [Int32] = [0, 0, 3, 7, 2, 9,   4, 4, 11, 1, 5, 6]
        let labels: [Int32] = [0, 0, 7, 2, 9, 12,  4, 11, 1, 5, 6, 3]
        let b = shiftedBatch(inputs: inputs, labels: labels, batch: 2)
        var rng = SplitMix64(seed: 3)
        let k = 3, rows = b.targets.count
        let negs = (0..<(shared ? k : rows * k)).map { _ in Int32(1 + rng.nextInt(below: 18)) }
        return (b, IDTensor(shape: shared ? [k] : [rows, k], ids: negs))
    }

    @Test(arguments: ["bce", "gbce", "sampled-softmax", "softmax", "gbce-shared"])
    func sasrecLossGradientMatchesFiniteDifferences(_ name: String) throws {
        let model = try SASRec(vocabularySize: 20, config: .init(maxLength: 6, dim: 8, blocks: 2, heads: 2, dropout: 0, seed: 5))
        // Smaller weights keep the loss in float32's comfortable range for central differences.
        for p in model.parameters { p.updateValue { b in for i in b.indices { b[i] *= 0.5 } } }
        let id = name == "gbce-shared" ? "gbce" : name
        let config: LossConfig = switch id {
        case "softmax": .softmax
        case "bce": .bce(negatives: 3)
        case "sampled-softmax": .sampledSoftmax(negatives: 3)
        default: .gbce(negatives: 3, t: 0.5)
        }
        let objective = shiftedObjective(try Losses.make(config, catalogueSize: 18), items: 18)
        let (b, negatives) = batch(shared: name == "gbce-shared")
        let report = GradientCheck.checkParameters(model.parameters, epsilon: 2e-3, atol: 3e-3, rtol: 3e-2, maxElements: 24) {
            var ctx = ForwardContext.inference
            return objective.loss(model, b, negatives: negatives, &ctx)
        }
        #expect(report.passed, "\(name): \(report)")
        #expect(report.checked > 100)
    }

    /// RecJPQ item embeddings shared by input and output: the gradient reaches the sub-item
    /// embeddings Ψ through both sides (thesis §6.4).
    @Test func recJPQSASRecLossGradientMatchesFiniteDifferences() throws {
        var rng = SplitMix64(seed: 9)
        let codes = (0..<(20 * 2)).map { _ in Int32(rng.nextInt(below: 4)) }
        let codebook = try RecJPQCodebook(vocabularySize: 20, splits: 2, subIDs: 4, codes: codes, strategy: "random")
        let config = SASRec.Config(maxLength: 6, dim: 8, blocks: 1, heads: 1, dropout: 0, reuseItemEmbeddings: true,
                                   itemEmbedding: .init(kind: "recjpq", splits: 2, subIDs: 4, assignment: "random"), seed: 5)
        let model = try SASRec(vocabularySize: 20, config: config, codebook: codebook)
        #expect(model.parameters.contains { $0.name == "items.subItemEmbeddings" })
        #expect(!model.parameters.contains { $0.name.hasPrefix("output") })
        for p in model.parameters { p.updateValue { b in for i in b.indices { b[i] *= 0.5 } } }
        let objective = shiftedObjective(try Losses.make(.gbce(negatives: 3, t: 0.5), catalogueSize: 18), items: 18)
        let (b, negatives) = batch(shared: false)
        let report = GradientCheck.checkParameters(model.parameters, epsilon: 2e-3, atol: 3e-3, rtol: 3e-2, maxElements: 24) {
            var ctx = ForwardContext.inference
            return objective.loss(model, b, negatives: negatives, &ctx)
        }
        #expect(report.passed, "\(report)")
    }
}
