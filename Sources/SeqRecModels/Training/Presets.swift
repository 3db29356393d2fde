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
    /// The gSASRec port's ML-1M configurations and their variants.
    public static let presets: [Preset] = [
        Preset(id: "gsasrec", summary: "gSASRec, port ML-1M config: L 200, d 128, gBCE k 256 t 0.75 (ch. 5)", config: RunConfig()),
        Preset(id: "sasrec", summary: "SASRec: the port config with BCE and 1 negative (ch. 5)", config: RunConfig(loss: .bce(negatives: 1))),
        Preset(id: "sasrec-softmax", summary: "SASRec with full softmax (Table 5.1)", config: RunConfig(loss: .softmax)),
    ]
}
