import Foundation
import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor
import Testing

@Suite struct ItemMaskingTests {
    static let split = try! LeaveOneOut().split(try! SyntheticDataset(users: 300, items: 60, seed: 4).generate())

    @Test func masksTheFormulasCountOfRealPositionsAndPredictsTheOriginalItems() throws {
        var config = ItemMaskingSampler.Config()
        config.maskingProbability = 0.2
        config.maxMasks = 3
        config.lastItemOnly = 0
        let sampler = try ItemMaskingSampler(config: config, itemCount: 60)
        var rng = SplitMix64(seed: 1)
        let users = Array(0..<40), l = 10
        let batch = sampler.batch(Self.split, users: users, length: l, rng: &rng)
        #expect(batch.inputs.shape == [40, 10])
        var perRow = [Int](repeating: 0, count: 40)
        for (p, target) in zip(batch.positions, batch.targets) {
            let row = Int(p) / l, u = users[row]
            let window = Padding.leftPadded(Self.split.trainSequence(u), length: l)
            #expect(batch.inputs.ids[Int(p)] == 61)                 // [MASK] = N + 1 at the position
            #expect(window[Int(p) % l] == target && target != 0)   // the original item is the target
            perRow[row] += 1
        }
        for (row, u) in users.enumerated() {
            let len = Self.split.trainSequence(u).count
            // n = min(maxMasks, max(1, round(len · p))), len the whole training sequence.
            #expect(perRow[row] == min(3, min(len, l), max(1, Int((Double(len) * 0.2).rounded()))), "user \(u), length \(len)")
            // Unmasked positions keep their items.
            let window = Padding.leftPadded(Self.split.trainSequence(u), length: l)
            let masked = Set(batch.positions.filter { Int($0) / l == row }.map { Int($0) % l })
            for i in 0..<l where !masked.contains(i) { #expect(batch.inputs.ids[row * l + i] == window[i]) }
        }
        #expect(batch.positions == batch.positions.sorted() && batch.weights.allSatisfy { $0 == 1 })
    }

    @Test func lastItemOnlySequencesMaskExactlyTheLastItem() throws {
        var config = ItemMaskingSampler.Config()
        config.lastItemOnly = 1
        let sampler = try ItemMaskingSampler(config: config, itemCount: 60)
        var rng = SplitMix64(seed: 2)
        let batch = sampler.batch(Self.split, users: [0, 1, 2], length: 8, rng: &rng)
        #expect(batch.positions == [7, 15, 23])
        #expect(batch.targets == [0, 1, 2].map { Self.split.trainSequence($0).last! })
        // With the default share (1/11) about one sequence in eleven is a last-item one.
        let mixed = try ItemMaskingSampler(config: .init(), itemCount: 60)
        var lastOnly = 0
        for _ in 0..<200 {
            let b = mixed.batch(Self.split, users: Array(0..<11), length: 8, rng: &rng)
            for row in 0..<11 where b.positions.filter({ Int($0) / 8 == row }) == [Int32(row * 8 + 7)] { lastOnly += 1 }
        }
        #expect(lastOnly > 100 && lastOnly < 600)   // 200 on average, plus sequences whose one random mask is the last
    }

    @Test func invalidSettingsNameTheKey() {
        func message(_ json: String) -> String {
            do { _ = try RunConfig.decode(Data(json.utf8), over: RunConfig.presets["bert4rec"]!).validate(catalogueSize: 50); return "valid" }
            catch { return "\(error)" }
        }
        #expect(message(#"{"objective": {"maskingProbability": 1.0}}"#).contains("objective.maskingProbability = 1.0 is outside the allowed range"))
        #expect(message(#"{"objective": {"maskingProbability": 0}}"#).contains("objective.maskingProbability"))
        #expect(message(#"{"objective": {"maxMasks": 0}}"#).contains("objective.maxMasks"))
        #expect(message(#"{"objective": {"lastItemOnly": 2}}"#).contains("objective.lastItemOnly"))
        // A model-specific key given to another model names the key and the valid ones.
        #expect(message(#"{"model": {"embeddingInit": "uniform"}}"#).contains("unknown key `embeddingInit` in config.model"))
        #expect(message(#"{"model": {"id": "sasrec", "intermediate": 64}}"#).contains("unknown key `intermediate` in config.model"))
        // A model that cannot train with the objective.
        #expect(message(#"{"objective": {"id": "shifted"}}"#).contains("objective.id = shifted"))
        #expect(message(#"{"model": {"id": "gpt4rec"}}"#).contains("unknown model `gpt4rec`"))
        #expect(message("{}") == "valid")
    }
}

@Suite struct BERT4RecTests {
    func model(_ edit: (inout BERT4Rec.Config) -> Void = { _ in }) throws -> BERT4Rec {
        var c = BERT4Rec.Config()
        c.maxLength = 8
        c.dim = 16
        c.intermediate = 32
        edit(&c)
        return try BERT4Rec(vocabularySize: 32, config: c)
    }

    @Test func inferenceAppendsMaskAfterTheLastLMinusOneItems() throws {
        let m = try model()
        #expect(m.maskID == 31)
        #expect(m.inferenceWindow([Int32](1...20)) == [Int32](14...20) + [31])
        #expect(m.inferenceWindow([Int32]([5])) == [5, 31])
        // The query vector is the head's transform at the [MASK] position.
        var ctx = ForwardContext.inference
        let h = m.encode(IDTensor(shape: [1, 3], ids: [4, 9, 31]), &ctx).slice(axis: 1, 2..<3).reshaped([1, 16])
        let direct = m.outputTransform(h, &ctx).scalars
        #expect(zip(m.queryVectors([[Int32]([4, 9])]).scalars, direct).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
    }

    @Test func albertSharesOneBlockAndFactorisesTheEmbedding() throws {
        let albert = try model { $0.sharedLayers = true; $0.embeddingSize = 8; $0.blocks = 3 }
        let bert = try model { $0.blocks = 3 }
        #expect(albert.blocks.count == 1 && bert.blocks.count == 3)
        #expect(albert.items.dim == 8 && albert.itemDim == 8 && albert.embeddingProjection != nil)
        #expect(albert.parameterCount < bert.parameterCount)
        #expect(albert.queryVectors([[Int32]([1, 2])]).shape == [1, 8])
        #expect(throws: HyperparameterError.self) { _ = try model { $0.heads = 3 } }
    }

    /// RecJPQ composes with BERT4Rec (Table 6.3): Ψ replaces the item table on both sides.
    @Test func recJPQItemEmbeddingsComposeWithBERT4Rec() throws {
        var rng = SplitMix64(seed: 2)
        let codebook = try RecJPQCodebook(vocabularySize: 32, splits: 4, subIDs: 8,
                                          codes: (0..<(32 * 4)).map { _ in Int32(rng.nextInt(below: 8)) }, strategy: "random")
        var c = BERT4Rec.Config()
        c.maxLength = 8
        c.dim = 16
        c.itemEmbedding = .init(kind: "recjpq", splits: 4, subIDs: 8, assignment: "random")
        let m = try BERT4Rec(vocabularySize: 32, config: c, codebook: codebook)
        #expect(m.recJPQ != nil && !m.parameters.contains { $0.name == "items.table" })
        #expect(m.queryVectors([[Int32]([1, 2, 3])]).shape == [1, 16])
    }
}
