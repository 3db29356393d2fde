import Foundation
import SeqRecCompression

/// A model's size, defined explicitly (thesis §6.4's memory analysis): float32 bytes of every
/// trainable parameter, the part of them that represents items (dense tables, or RecJPQ's
/// sub-item embeddings Ψ), the RecJPQ codebook bytes (1 per code), and the checkpoint file.
public struct ModelSize: Sendable, Codable, Equatable {
    /// 4 bytes per trainable parameter.
    public var parameterBytes: Int
    /// Of which the item representation: input and output tables, or Ψ.
    public var itemParameterBytes: Int
    /// The fixed RecJPQ codes (0 for dense item embeddings).
    public var codebookBytes: Int
    /// `model.safetensors` on disk (header, metadata and tensors), when one was written.
    public var checkpointFileBytes: Int?

    /// Parameters plus codebook: what the model needs in memory to score.
    public var totalBytes: Int { parameterBytes + codebookBytes }

    /// One line for logs and summaries.
    public var summary: String {
        func mb(_ b: Int) -> String { String(format: "%.3f MB", Double(b) / 1e6) }
        var s = "model size \(mb(totalBytes)) = parameters \(mb(parameterBytes)) (items \(mb(itemParameterBytes)))"
        s += " + codebook \(mb(codebookBytes))"
        if let f = checkpointFileBytes { s += "; checkpoint file \(mb(f))" }
        return s
    }
}

extension SequentialModel {
    /// This model's size (without a checkpoint file).
    public var size: ModelSize {
        let params = parameters.reduce(0) { $0 + $1.value.count * 4 }
        let itemParams = itemParameters.reduce(0) { $0 + $1.value.count * 4 }
        return ModelSize(parameterBytes: params, itemParameterBytes: itemParams,
                         codebookBytes: recJPQ?.codebook.bytes ?? 0, checkpointFileBytes: nil)
    }
}
