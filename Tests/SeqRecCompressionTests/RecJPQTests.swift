import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecScoring
import SeqRecTensor
import SeqRecTestSupport
import Testing

func syntheticSplit(items: Int = 300, users: Int = 800) throws -> DatasetSplit {
    try LeaveOneOut().split(try SyntheticDataset(users: users, items: items, seed: 4).generate())
}

@Suite struct RecJPQTests {
    @Test func everyStrategyGivesValidBalancedCodes() throws {
        let split = try syntheticSplit()
        let n = split.dataset.vocabulary.itemCount
        let strategies: [any CodeAssignment] = [RandomAssignment(seed: 3), SVDAssignment(), SVDAssignment(binary: true), BPRAssignment(epochs: 3)]
        for s in strategies {
            let cb = try s.assign(split, splits: 8, subIDs: 16)
            #expect(cb.vocabularySize == n + 2 && cb.codes.allSatisfy { $0 >= 0 && $0 < 16 })
            if !(s is RandomAssignment) {
                // Quantile bins: every sub-id holds n/16 items (±1) in every split.
                for k in 0..<8 {
                    var counts = [Int](repeating: 0, count: 16)
                    for id in 1...n { counts[Int(cb.code(id, split: k))] += 1 }
                    #expect(counts.allSatisfy { Swift.abs($0 - n / 16) <= 1 }, "\(type(of: s)) split \(k): \(counts)")
                }
            }
            #expect(cb.warnings(items: n).isEmpty, "\(cb.strategy): \(cb.warnings(items: n))")
        }
        #expect(try RandomAssignment(seed: 3).assign(split, splits: 8, subIDs: 16) == RandomAssignment(seed: 3).assign(split, splits: 8, subIDs: 16))
    }

    @Test func svdCodesFollowUsagePatterns() throws {
        // Items consumed by the same users should share more sub-ids than random pairs: compare
        // code agreement of the successor pairs the generator planted with random pairs.
        let split = try syntheticSplit(items: 200, users: 3_000)
        let cb = try SVDAssignment().assign(split, splits: 8, subIDs: 8)
        var agreeNext = 0, agreeRandom = 0, pairs = 0
        var rng = SplitMix64(seed: 1)
        for u in 0..<split.dataset.userCount {
            let s = Array(split.trainSequence(u))
            for t in 1..<Swift.max(s.count, 1) {
                let a = Int(s[t - 1]), b = Int(s[t]), r = 1 + rng.nextInt(below: 200)
                for k in 0..<8 {
                    agreeNext += cb.code(a, split: k) == cb.code(b, split: k) ? 1 : 0
                    agreeRandom += cb.code(a, split: k) == cb.code(r, split: k) ? 1 : 0
                }
                pairs += 1
            }
        }
        #expect(pairs > 1000 && agreeNext > agreeRandom)
    }

    @Test func quotientRemainderCodes() throws {
        let split = try syntheticSplit(items: 98)   // vocabulary 100 → D = 10
        let cb = try QuotientRemainderAssignment().assign(split, splits: 2, subIDs: 0)
        #expect(cb.subIDs == 10 && cb.code(57, split: 0) == 5 && cb.code(57, split: 1) == 7)
        #expect(QuotientRemainderAssignment.divisor(vocabularySize: 101) == 11)
        #expect(throws: HyperparameterError.self) { try QuotientRemainderAssignment().assign(split, splits: 8, subIDs: 0) }
    }

    @Test func warningsForSmallOrDegenerateCodebooks() throws {
        let flat = try RecJPQCodebook(vocabularySize: 12, splits: 1, subIDs: 256, codes: [Int32](repeating: 3, count: 12), strategy: "t")
        let w = flat.warnings(items: 10)
        #expect(w.contains { $0.contains("only 10 items for 256 sub-ids") } && w.contains { $0.contains("degenerate") })
        #expect(throws: HyperparameterError.self) {
            try RecJPQCodebook(vocabularySize: 2, splits: 1, subIDs: 4, codes: [0, 9], strategy: "t")
        }
    }

    @Test func embeddingIsTheConcatenationAndOnlyPsiLearns() throws {
        let cb = try RecJPQCodebook(vocabularySize: 4, splits: 2, subIDs: 3, codes: [0, 0, 2, 1, 1, 0, 0, 2], strategy: "t")
        var rng = SplitMix64(seed: 1)
        let e = try RecJPQEmbedding(codebook: cb, dim: 4, rng: &rng)
        let psi = e.subItemEmbeddings.value.scalars   // rows k·3 + j, 2 wide
        let out = e(IDTensor(shape: [2], [1, 3])).scalars
        // Item 1: split 0 sub-id 2 → row 2; split 1 sub-id 1 → row 4.
        #expect(Array(out[0..<4]) == Array(psi[4..<6]) + Array(psi[8..<10]))
        // Item 3: split 0 sub-id 0 → row 0; split 1 sub-id 2 → row 5.
        #expect(Array(out[4..<8]) == Array(psi[0..<2]) + Array(psi[10..<12]))
        let report = GradientCheck.checkParameters(e.parameters) {
            (e(IDTensor(shape: [3], [1, 3, 1])) * Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 7 })).sum()
        }
        #expect(report.passed, "\(report)")
        // Rows never gathered (row 1: split 0 sub-id 1; row 3: split 1 sub-id 0) get zero gradient.
        let g = e.subItemEmbeddings.grad!.scalars
        #expect(g[2] == 0 && g[3] == 0 && g[6] == 0 && g[7] == 0)
    }

    @Test func catalogueScoresMatchTheReconstructedEmbeddings() throws {
        let split = try syntheticSplit()
        let cb = try SVDAssignment().assign(split, splits: 8, subIDs: 256)
        var rng = SplitMix64(seed: 2)
        let e = try RecJPQEmbedding(codebook: cb, dim: 32, rng: &rng)
        let catalogue = try e.catalogue()
        let q = (0..<32).map { _ in rng.nextNormal() }
        let top = try PQTopKScorer(catalogue: catalogue).topK(q, k: 5, excluding: [])
        let n = split.dataset.vocabulary.itemCount
        let all = e(IDTensor(shape: [n], (1...n).map { $0 })).scalars
        for s in top {
            let row = Array(all[(Int(s.item) * 32)..<(Int(s.item) * 32 + 32)])
            let dot = zip(row, q).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(Swift.abs(dot - s.score) < 1e-4)
        }
        #expect(e.bytes.parameters == 8 * 256 * 4 * 4 && e.bytes.codebook == (n + 2) * 8)
    }

    @Test func table62MemoryAnalysis() {
        let rows = MemoryAnalysis.table62
        func pct(_ r: MemoryAnalysis.Row) -> [String] { r.columns.map { String(format: "%.3f", $0.percent) } }
        #expect(String(format: "%.2f", Double(rows[0].baseBytes) / 1_048_576) == "6.67")
        #expect(pct(rows[0]) == ["14.988", "59.953", "239.813"])
        #expect(pct(rows[1]) == ["1.474", "5.895", "23.580"])
        #expect(pct(rows[2]) == ["0.040", "0.160", "0.640"])
        #expect(String(format: "%.2f", Double(rows[2].baseBytes) / 1_073_741_824) == "2.44")
    }
}
