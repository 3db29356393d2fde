import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecTensor

/// The settings every sequential model has, whatever its own keys.
public protocol SequentialModelSettings: Codable, Sendable {
    /// The longest input window L.
    var maxLength: Int { get }
    /// The width d of hidden states and item vectors.
    var dim: Int { get }
    /// The item representation: dense tables or RecJPQ (thesis §6.4).
    var itemEmbedding: ItemEmbeddingConfig { get }
    /// Seeds every initial weight.
    var seed: UInt64 { get set }
    /// The encoder's size beyond L and d, for the memory a run needs (`RunConfig.validate`).
    var encoderShape: EncoderShape { get }
    /// Range checks naming the key.
    func validate() throws
}

/// Blocks, attention heads and feed-forward width of a Transformer encoder; whether the output
/// item table is separate from the input one.
public struct EncoderShape: Sendable, Equatable {
    public var blocks: Int
    public var heads: Int
    public var feedForward: Int
    public var separateOutput: Bool
    public init(blocks: Int, heads: Int, feedForward: Int, separateOutput: Bool) {
        self.blocks = blocks
        self.heads = heads
        self.feedForward = feedForward
        self.separateOutput = separateOutput
    }
}

/// Upper bounds of model settings: far above any published configuration, low enough that a
/// typo (an extra zero run) is a range error naming the key instead of an allocation abort.
public enum ModelLimits {
    public static let maxLength = 65_536
    public static let dim = 65_536
    public static let blocks = 1_024
    public static let feedForward = 1_048_576
}

/// A sequential recommendation model (thesis §2.3): it encodes left-padded histories into hidden
/// states, and an item is scored by the dot product of an output transform of a hidden state with
/// the item's vector (plus an optional per-item bias). Training objectives, losses and scorers see
/// models only through this protocol, so a new model is one file, one registry line and one preset.
///
/// Id layout (`ItemVocabulary`): 0 = padding, 1…N = items, N + 1 = [MASK]; tables have N + 2 rows.
public protocol SequentialModel: Layer {
    /// The registry id (`Models.registry`), recorded in checkpoints.
    var modelID: String { get }
    /// The resolved settings the model was built with.
    var settings: any SequentialModelSettings { get }
    /// Rows of the item tables: N + 2.
    var vocabularySize: Int { get }
    /// The item representation (dense table or RecJPQ), shared by input and output where configured.
    var items: any ItemEmbedding { get }
    /// Parameters that represent items (input and output tables, or Ψ): the item share of `ModelSize`.
    var itemParameters: [Parameter] { get }
    /// The width of item vectors and query vectors (d, or ALBERT's factorised e).
    var itemDim: Int { get }
    /// True when a position attends only to earlier ones (then outputs at a position do not depend
    /// on later items, nor on how much left padding precedes the window).
    var isCausal: Bool { get }

    /// Hidden states `[B, L, d]` for left-padded ids `[B, L]` (L ≤ `maxLength`), recorded on the tape.
    func encode(_ ids: IDTensor, _ context: inout ForwardContext) -> Tensor
    /// Hidden states `[B, d]` at the last column of left-padded ids `[B, L]`, in inference mode:
    /// what `queryVectors` scores with. The default slices `encode`; a model may compute only what
    /// that column needs (SASRec and BERT4Rec run their final block on the last rows only).
    func encodeLast(_ ids: IDTensor) -> Tensor
    /// What multiplies item vectors: `[R, d]` → `[R, d]` (identity for SASRec; BERT's MLM transform).
    func outputTransform(_ hidden: Tensor, _ context: inout ForwardContext) -> Tensor
    /// The `[vocabulary, d]` matrix that scores items, recorded on the tape.
    func outputMatrix() -> Tensor
    /// A per-item output bias `[vocabulary]`, if the model has one.
    func outputBias() -> Tensor?
    /// The window encoded to score what follows `history` (ids only, unpadded, at most `maxLength`):
    /// the last `maxLength` items for causal models, the history then [MASK] for BERT4Rec.
    func inferenceWindow<C: Collection>(_ history: C) -> [Int32] where C.Element == Int32
}

extension SequentialModel {
    public var maxLength: Int { settings.maxLength }
    public var dim: Int { settings.dim }
    /// N, the number of real items.
    public var itemCount: Int { vocabularySize - 2 }
    public var itemDim: Int { dim }
    public func outputTransform(_ hidden: Tensor, _ context: inout ForwardContext) -> Tensor { hidden }
    public func outputBias() -> Tensor? { nil }
    public func inferenceWindow<C: Collection>(_ history: C) -> [Int32] where C.Element == Int32 { Array(history.suffix(maxLength)) }

    public func encodeLast(_ ids: IDTensor) -> Tensor { encodeLastBySlicing(ids) }

    /// `encodeLast` the plain way: the last column of the whole window's `encode`.
    public func encodeLastBySlicing(_ ids: IDTensor) -> Tensor {
        var context = ForwardContext.inference
        let l = ids.shape[1]
        return encode(ids, &context).slice(axis: 1, (l - 1)..<l).reshaped([ids.shape[0], dim])
    }

    /// `encodeLast` for packed Transformer stacks: `x` `[T, d]` embedded rows of `packed`, every
    /// block but the last over all rows, the last over each window's last row only
    /// (`TransformerBlock.lastRows`), then `final`; windows ending in padding get `fill` `[1, d]`
    /// (what the full encoding has there).
    func lastColumnThroughBlocks(_ x: Tensor, packed: PackedSequences, blocks: [TransformerBlock], causal: Bool,
                                 final: (Tensor) -> Tensor, fill: Tensor) -> Tensor {
        let (sequences, rows, ranges) = packed.lastColumn()
        var index = [Int32](repeating: Int32(sequences.count), count: packed.batch)
        for (j, s) in sequences.enumerated() { index[s] = Int32(j) }
        guard let lastBlock = blocks.last, !sequences.isEmpty else {
            return fill.gatherRows(IDTensor(shape: [packed.batch], ids: [Int32](repeating: 0, count: packed.batch)))
        }
        var x = x, context = ForwardContext.inference
        for block in blocks.dropLast() { x = block(x, sequences: packed, causal: causal, &context) }
        let y = final(lastBlock.lastRows(x, rows: rows, keyRanges: ranges))
        return Tensor.concat([y, fill], axis: 0).gatherRows(IDTensor(shape: [packed.batch], ids: index))
    }

    /// The RecJPQ item embedding, if that is the item representation.
    public var recJPQ: RecJPQEmbedding? { items as? RecJPQEmbedding }

    /// The query vectors `[n, itemDim]` that score what follows each history, in inference mode: the
    /// output transform of the last position's hidden state of `inferenceWindow`. Histories are
    /// encoded shortest-first in groups whose window is cut to the group's longest: the leading
    /// all-padding columns change nothing (padded keys are masked, positions count from the
    /// right), so the result equals full-window encoding while most padding is skipped. Groups of
    /// 16 keep a group's activations in cache (port config, 512 users: 110–123 ms vs 122–152 ms
    /// with groups of 64, 116–134 with 32, 115–119 with 8).
    public func queryVectors<C: Collection>(_ histories: [C], group: Int = 16) -> Tensor where C.Element == Int32 {
        let n = histories.count, d = itemDim
        var out = [Float](repeating: 0, count: n * d)
        let windows: [[Int32]] = histories.map { inferenceWindow($0) }
        let lengths: [Int] = windows.map(\.count)
        let order: [Int] = (0..<n).sorted { (a: Int, b: Int) -> Bool in lengths[a] < lengths[b] || (lengths[a] == lengths[b] && a < b) }
        // The groups' activations recycle each other's buffers instead of faulting in fresh pages.
        let pool = BufferPool()
        var start = 0
        while start < n { pool.withPool {
            let rows = Array(order[start..<Swift.min(n, start + group)])
            let l = Swift.max(1, rows.map { lengths[$0] }.max()!)
            let ids = rows.flatMap { Padding.leftPadded(windows[$0], length: l) }
            var context = ForwardContext.inference
            let last = outputTransform(encodeLast(IDTensor(shape: [rows.count, l], ids: ids)), &context)
            last.withUnsafeBufferPointer { v in
                for (j, r) in rows.enumerated() {
                    for c in 0..<d { out[r * d + c] = v[j * d + c] }
                }
            }
            start += rows.count
        } }
        return Tensor(shape: [n, d], scalars: out)
    }

    /// Left-aligned positions for a window of `l` ≤ `maxLength` columns: the rightmost (most recent)
    /// column always gets position `maxLength − 1`, so positions do not depend on the padding.
    public func rightAlignedPositions(batch b: Int, length l: Int) -> IDTensor {
        let offset = maxLength - l
        return IDTensor(shape: [b, l], (0..<(b * l)).map { (j: Int) -> Int in j % l + offset })
    }
}
