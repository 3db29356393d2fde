import SeqRecTensor

/// What a sequential model needs from its item representation: vectors for ids (the input
/// side) and the whole `[vocabulary, d]` matrix (output scoring). A dense `Embedding` table is
/// one; RecJPQ's sub-item embeddings (SeqRecCompression) are another, so a model takes either
/// without knowing which.
public protocol ItemEmbedding: Layer {
    /// Rows: padding 0, items 1…N, and any special ids.
    var vocabularySize: Int { get }
    /// The embedding width d.
    var dim: Int { get }
    /// Embeddings of `ids`: `[…]` → `[…, d]`, recorded on the active tape.
    func callAsFunction(_ ids: IDTensor) -> Tensor
    /// The full `[vocabularySize, d]` matrix, recorded on the active tape (gradients flow
    /// back to whatever parameters produce it).
    func matrix() -> Tensor
}

extension Embedding: ItemEmbedding {
    public var vocabularySize: Int { table.value.shape[0] }
    public var dim: Int { table.value.shape[1] }
    public func matrix() -> Tensor { table.tracked }
}
