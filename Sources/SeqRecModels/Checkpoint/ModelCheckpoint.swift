import Foundation
import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecTensor

/// A problem with a checkpoint: wrong format, other dataset, mismatched shapes. Names the file.
public typealias CheckpointError = FileError

/// A trained model on disk: `model.safetensors` holds the weights under their parameter names
/// (`items.weight`, `blocks.0.attention.query.weight`, …; loadable by PyTorch and NumPy) and, as
/// safetensors metadata, everything needed to use them: the model id, the resolved run config,
/// the dataset fingerprint, the item vocabulary (external ids, so recommendations come back in
/// the data's own ids) and the run environment. Checkpoints of the SASRec-only format
/// (`seqrec-sasrec-v1`, before the model zoo) still load, as SASRec.
public struct ModelCheckpoint {
    public static let format = "seqrec-model-v1"
    /// The format written before models had ids (always SASRec).
    public static let legacyFormat = "seqrec-sasrec-v1"
    public static let fileName = "model.safetensors"

    public let config: RunConfig
    public let fingerprint: String
    public let vocabulary: ItemVocabulary
    public let model: any SequentialModel
    public let metadata: [String: String]

    /// The metadata every checkpoint carries.
    public static func metadata(config: RunConfig, fingerprint: String, vocabulary: ItemVocabulary,
                                environment: RunEnvironment) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [
            "format": format,
            "seqrec.model": config.model.id,
            "seqrec.config": config.json,
            "seqrec.dataset_fingerprint": fingerprint,
            "seqrec.vocabulary": String(decoding: (try? encoder.encode(vocabulary.externalIDs)) ?? Data(), as: UTF8.self),
            "seqrec.environment": String(decoding: (try? encoder.encode(environment)) ?? Data(), as: UTF8.self),
        ]
    }

    /// Name of the RecJPQ codebook's `U8` tensor (`[vocabulary, splits]`) in checkpoints.
    public static let codesName = "items.codes"

    /// Writes `model`'s current weights (and a RecJPQ model's codebook, as bytes) with
    /// `metadata` to `path`, atomically.
    public static func save(_ model: any SequentialModel, metadata: [String: String], to path: String) throws {
        try SafeTensors.write(model.parameters.map { ($0.name, $0.value) }, bytes: codeTensors(model), metadata: metadata, to: path)
    }

    /// The byte tensors a model's checkpoint carries besides its parameters.
    static func codeTensors(_ model: any SequentialModel) -> [(name: String, tensor: SafeTensors.ByteTensor)] {
        model.recJPQ.map { [(codesName, $0.codeBytes)] } ?? []
    }

    /// The RecJPQ codebook stored in a checkpoint or training state, if `config` needs one.
    /// - Throws: `CheckpointError` when the codes are missing or do not fit the config.
    static func codebook(in contents: SafeTensors.Contents, config: any SequentialModelSettings, vocabularySize: Int,
                         file: String) throws -> RecJPQCodebook? {
        let e = config.itemEmbedding
        guard e.isRecJPQ else { return nil }
        guard let codes = contents.bytes.first(where: { $0.name == codesName })?.tensor else {
            throw CheckpointError(file: file, "RecJPQ model without its codebook tensor \(codesName)")
        }
        guard codes.shape == [vocabularySize, e.splits] else {
            throw CheckpointError(file: file, "\(codesName) has shape \(codes.shape), the model expects [\(vocabularySize), \(e.splits)]")
        }
        do {
            return try RecJPQCodebook(vocabularySize: vocabularySize, splits: e.splits, subIDs: e.subIDs,
                                      codes: codes.bytes.map { Int32($0) }, strategy: e.assignment)
        } catch { throw CheckpointError(file: file, "\(codesName): \(error)") }
    }

    /// Reads a checkpoint and rebuilds its model.
    /// - Parameter expectedModel: when given, a checkpoint of another model is an error.
    /// - Throws: `CheckpointError` naming the file for a foreign format, missing metadata, another
    ///   model than `expectedModel`, or weights whose names or shapes do not match the recorded config.
    public static func load(path: String, expectedModel: String? = nil) throws -> ModelCheckpoint {
        let contents = try SafeTensors.readContents(path: path)
        let (tensors, meta) = (contents.tensors, contents.metadata)
        guard meta["format"] == format || meta["format"] == legacyFormat else {
            throw CheckpointError(file: path, "not a SeqRec model checkpoint (format \(meta["format"] ?? "missing"), expected \(format))")
        }
        guard let configText = meta["seqrec.config"], let fingerprint = meta["seqrec.dataset_fingerprint"],
              let vocabText = meta["seqrec.vocabulary"] else {
            throw CheckpointError(file: path, "metadata lacks seqrec.config, seqrec.dataset_fingerprint or seqrec.vocabulary")
        }
        let config = try recordedConfig(configText, file: path)
        if let recordedModel = meta["seqrec.model"], recordedModel != config.model.id {
            throw CheckpointError(file: path, "seqrec.model says \(recordedModel) but seqrec.config describes \(config.model.id)")
        }
        if let expectedModel, expectedModel != config.model.id {
            throw CheckpointError(file: path, "is a \(config.model.id) checkpoint, not \(expectedModel)")
        }
        let ids: [String]
        do { ids = try JSONDecoder().decode([String].self, from: Data(vocabText.utf8)) } catch {
            throw CheckpointError(file: path, "seqrec.vocabulary is not a JSON array of strings")
        }
        let vocabulary = try ItemVocabulary(externalIDs: ids)
        let settings: any SequentialModelSettings
        do { settings = try config.modelSettings } catch { throw CheckpointError(file: path, "seqrec.config: \(error)") }
        let codebook = try codebook(in: contents, config: settings, vocabularySize: vocabulary.size, file: path)
        let model = try Models.make(config.model, vocabularySize: vocabulary.size, codebook: codebook)
        try assign(tensors, to: model.parameters, file: path)
        return ModelCheckpoint(config: config, fingerprint: fingerprint, vocabulary: vocabulary, model: model, metadata: meta)
    }

    /// A recorded run config (lenient: written by this or an earlier version).
    static func recordedConfig(_ text: String, file: String) throws -> RunConfig {
        do { return try JSONDecoder().decode(RunConfig.self, from: Data(text.utf8)) } catch {
            throw CheckpointError(file: file, "seqrec.config is unreadable: \(error)")
        }
    }

    /// Loads named tensors into parameters, checking that the sets of names and every shape match.
    static func assign(_ tensors: [(name: String, tensor: Tensor)], to parameters: [Parameter], file: String, prefix: String = "") throws {
        var byName: [String: Tensor] = [:]
        for (name, t) in tensors where name.hasPrefix(prefix) { byName[String(name.dropFirst(prefix.count))] = t }
        for p in parameters {
            guard let t = byName.removeValue(forKey: p.name) else {
                throw CheckpointError(file: file, "tensor \(prefix)\(p.name) is missing")
            }
            guard t.shape == p.value.shape else {
                throw CheckpointError(file: file, "tensor \(prefix)\(p.name) has shape \(t.shape), the model expects \(p.value.shape)")
            }
        }
        if let extra = byName.keys.sorted().first {
            throw CheckpointError(file: file, "tensor \(prefix)\(extra) is not a parameter of this model")
        }
        var all: [String: Tensor] = [:]
        for (name, t) in tensors where name.hasPrefix(prefix) { all[String(name.dropFirst(prefix.count))] = t }
        for p in parameters { p.assign(all[p.name]!) }
    }
}
