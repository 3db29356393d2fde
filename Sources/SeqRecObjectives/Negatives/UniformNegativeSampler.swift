import SeqRecCore
import SeqRecTensor

/// Uniform negatives with replacement from 1…N, as the gSASRec port (reference-facts §1.4):
/// positives and seen items are not excluded. k draws are made for every position of the input
/// window — padding and non-target positions included — in window order, and the rows of the
/// target positions kept, so the random stream (and every SASRec result) is the port's,
/// whichever positions the objective scores. With `shared`, one set of k negatives serves every
/// target of the batch (logits by one GEMM).
public struct UniformNegativeSampler: NegativeSampler {
    public static let id = "uniform"
    public static let entry = NegativeSamplerEntry(id: id, summary: "uniform over 1…N with replacement (the port)") {
        UniformNegativeSampler(shared: $0)
    }

    public let shared: Bool
    public init(shared: Bool = false) { self.shared = shared }

    public func negatives(for batch: TrainingBatch, k: Int, itemCount: Int, rng: inout SplitMix64) -> IDTensor {
        if shared {
            return IDTensor(shape: [k], ids: (0..<k).map { _ in Int32(1 + rng.nextInt(below: itemCount)) })
        }
        let all = [Int32](unsafeUninitializedCapacity: batch.inputs.count * k) { buffer, count in
            rng.fillInts(buffer, below: itemCount, plus: 1)   // every element written
            count = buffer.count
        }
        var rows = [Int32]()
        rows.reserveCapacity(batch.positions.count * k)
        all.withUnsafeBufferPointer { a in
            for p in batch.positions { rows += a[(Int(p) * k)..<(Int(p) * k + k)] }
        }
        return IDTensor(shape: [batch.positions.count, k], ids: rows)
    }
}
