import SeqRecCore
import SeqRecObjectives

/// A named starting configuration (`seqrec train --preset`, spec rows' `preset`).
public struct Preset: Registered {
    public let id: String
    /// What the preset reproduces, for `seqrec models`.
    public let summary: String
    public let config: RunConfig
}

extension RunConfig {
    /// Every preset: one line each (the model's own in its file, e.g. `BERT4Rec.presets`).
    public static let presetRegistry = Registry<Preset>(family: "preset", SASRec.presets + BERT4Rec.presets)

    /// Presets by id.
    public static var presets: [String: RunConfig] {
        Dictionary(uniqueKeysWithValues: presetRegistry.entries.map { ($0.id, $0.config) })
    }
}

extension SASRec {
    /// The defaults of `seqrec train`: configurations that leave the popularity plateau within a
    /// few hundred steps on ML-1M-sized data (measured: README, "Presets"). The port's N(0, 1)
    /// tables with 256 negatives need thousands of steps before they learn anything but
    /// popularity; U(±0.05) tables, d 64, tied input/output embeddings, 128 negatives and Adam at
    /// 3e-3 with β2 0.98 do not.
    public static func quick(_ loss: LossConfig) -> RunConfig {
        var model = SASRec.Config(maxLength: 200, dim: 64, blocks: 2, heads: 1, dropout: 0.2, reuseItemEmbeddings: true)
        model.embeddingInit = "uniform"
        var c = RunConfig(model: model, loss: loss)
        c.training.learningRate = 3e-3
        c.training.beta2 = 0.98
        c.training.patience = 20
        return c
    }

    /// The quick defaults and the gSASRec port's ML-1M configurations (`-port`, as the port's
    /// code has them: what the thesis's tables were produced with).
    public static let presets: [Preset] = [
        Preset(id: "gsasrec", summary: "gSASRec, learns quickly (default): L 200, d 64, tied embeddings, U(±0.05), gBCE k 128 t 0.75, Adam 3e-3",
               config: quick(.gbce(negatives: 128, t: 0.75))),
        Preset(id: "sasrec", summary: "SASRec, learns quickly: the gsasrec preset with BCE and 1 negative", config: quick(.bce(negatives: 1))),
        Preset(id: "sasrec-softmax", summary: "SASRec with full softmax, learns quickly: the gsasrec preset with softmax", config: quick(.softmax)),
        Preset(id: "gsasrec-port", summary: "gSASRec, the port's ML-1M config: L 200, d 128, N(0, 1), gBCE k 256 t 0.75 (ch. 5)", config: RunConfig()),
        Preset(id: "sasrec-port", summary: "SASRec: the port config with BCE and 1 negative (ch. 5)", config: RunConfig(loss: .bce(negatives: 1))),
        Preset(id: "sasrec-softmax-port", summary: "SASRec with full softmax, port config (Table 5.1)", config: RunConfig(loss: .softmax)),
    ]
}
