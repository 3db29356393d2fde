import Foundation
import SeqRecCompression
import SeqRecCore
import SeqRecData
import SeqRecNN
import SeqRecTensor

/// A problem with a checkpoint: wrong format, other dataset, mismatched shapes. Names the file.
public typealias CheckpointError = FileError

/// A trained SASRec on disk: `model.safetensors` holds the weights under their parameter names
/// (`items.weight`, `blocks.0.attention.query.weight`, …; loadable by PyTorch and NumPy) and, as
/// safetensors metadata, everything needed to use them: the resolved run config, the dataset
/// fingerprint, the item vocabulary (external ids, so recommendations come back in the data's
/// own ids) and the run environment.
public struct ModelCheckpoint {
    public static let format = "seqrec-sasrec-v1"
    public static let fileName = "model.safetensors"

    public let config: RunConfig
    public let fingerprint: String
    public let vocabulary: ItemVocabulary
    public let model: SASRec
    public let metadata: [String: String]

    /// The metadata every checkpoint carries.
    public static func metadata(config: RunConfig, fingerprint: String, vocabulary: ItemVocabulary,
                                environment: RunEnvironment) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [
            "format": format,
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
    public static func save(_ model: SASRec, metadata: [String: String], to path: String) throws {
        try SafeTensors.write(model.parameters.map { ($0.name, $0.value) }, bytes: codeTensors(model), metadata: metadata, to: path)
    }

    /// The byte tensors a model's checkpoint carries besides its parameters.
    static func codeTensors(_ model: SASRec) -> [(name: String, tensor: SafeTensors.ByteTensor)] {
        model.recJPQ.map { [(codesName, $0.codeBytes)] } ?? []
    }

    /// The RecJPQ codebook stored in a checkpoint or training state, if `config` needs one.
    /// - Throws: `CheckpointError` when the codes are missing or do not fit the config.
    static func codebook(in contents: SafeTensors.Contents, config: SASRec.Config, vocabularySize: Int,
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
    /// - Throws: `CheckpointError` naming the file for a foreign format, missing metadata, or
    ///   weights whose names or shapes do not match the recorded config.
    public static func load(path: String) throws -> ModelCheckpoint {
        let contents = try SafeTensors.readContents(path: path)
        let (tensors, meta) = (contents.tensors, contents.metadata)
        guard meta["format"] == format else {
            throw CheckpointError(file: path, "not a SeqRec SASRec checkpoint (format \(meta["format"] ?? "missing"), expected \(format))")
        }
        guard let configText = meta["seqrec.config"], let fingerprint = meta["seqrec.dataset_fingerprint"],
              let vocabText = meta["seqrec.vocabulary"] else {
            throw CheckpointError(file: path, "metadata lacks seqrec.config, seqrec.dataset_fingerprint or seqrec.vocabulary")
        }
        let config = try RunConfig.decode(Data(configText.utf8), source: path + " (seqrec.config)")
        let ids: [String]
        do { ids = try JSONDecoder().decode([String].self, from: Data(vocabText.utf8)) } catch {
            throw CheckpointError(file: path, "seqrec.vocabulary is not a JSON array of strings")
        }
        let vocabulary = try ItemVocabulary(externalIDs: ids)
        let codebook = try codebook(in: contents, config: config.model, vocabularySize: vocabulary.size, file: path)
        let model = try SASRec(vocabularySize: vocabulary.size, config: config.model, codebook: codebook)
        try assign(tensors, to: model.parameters, file: path)
        return ModelCheckpoint(config: config, fingerprint: fingerprint, vocabulary: vocabulary, model: model, metadata: meta)
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

/// Everything a run needs to continue exactly where it stopped, written after every epoch to
/// `training-state.safetensors`: current and best weights, Adam's moments and step count, and
/// (as metadata) the RNG state, epoch counters, the report so far and the model metadata.
struct TrainingState {
    static let fileName = "training-state.safetensors"
    static let format = "seqrec-training-state-v1"

    struct Progress: Codable {
        var rng: SplitMix64
        var sinceBest: Int
        var adamSteps: Int
        var report: TrainingReport
    }

    static func save(model: SASRec, best: [Tensor], adam: Adam, progress: Progress, metadata: [String: String], to path: String) throws {
        var tensors: [(name: String, tensor: Tensor)] = []
        for p in model.parameters { tensors.append(("weights/" + p.name, p.value)) }
        for (p, b) in zip(model.parameters, best) { tensors.append(("best/" + p.name, b)) }
        let state = adam.state(of: model.parameters)
        for p in model.parameters {
            guard let s = state.moments[p.name] else { continue }
            tensors.append(("adam.m/" + p.name, Tensor(shape: p.value.shape, scalars: s.m)))
            tensors.append(("adam.v/" + p.name, Tensor(shape: p.value.shape, scalars: s.v)))
        }
        var meta = metadata
        meta["format"] = format
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        meta["seqrec.progress"] = String(decoding: try encoder.encode(progress), as: UTF8.self)
        try SafeTensors.write(tensors, bytes: ModelCheckpoint.codeTensors(model), metadata: meta, to: path)
    }

    /// The RecJPQ codebook a saved training state was started with (nil for dense models or
    /// when there is no state yet): a resumed run reuses it instead of re-assigning codes.
    static func codebook(path: String, config: SASRec.Config, vocabularySize: Int) throws -> RecJPQCodebook? {
        guard config.itemEmbedding.isRecJPQ, FileManager.default.fileExists(atPath: path) else { return nil }
        return try ModelCheckpoint.codebook(in: SafeTensors.readContents(path: path), config: config,
                                            vocabularySize: vocabularySize, file: path)
    }

    /// Restores weights and Adam; returns the best weights and the progress.
    /// - Throws: `CheckpointError` when the state belongs to another dataset or model.
    static func load(path: String, into model: SASRec, adam: Adam, expectedFingerprint: String,
                     metadata: [String: String]) throws -> ([Tensor], Progress) {
        let (tensors, meta) = try SafeTensors.read(path: path)
        guard meta["format"] == format, let progressText = meta["seqrec.progress"] else {
            throw CheckpointError(file: path, "not a SeqRec training state (format \(meta["format"] ?? "missing"))")
        }
        let recorded = meta["seqrec.dataset_fingerprint"] ?? "missing"
        guard recorded == expectedFingerprint else {
            throw CheckpointError(file: path, "dataset fingerprint \(recorded) differs from this dataset's \(expectedFingerprint): "
                                  + "resume on the data the run started with")
        }
        if let mine = metadata["seqrec.config"], let theirs = meta["seqrec.config"] {
            let a = try RunConfig.decode(Data(mine.utf8)), b = try RunConfig.decode(Data(theirs.utf8), source: path)
            let conflicts = a.resumeConflicts(with: b)
            guard conflicts.isEmpty else {
                throw CheckpointError(file: path, "the run was started with other \(conflicts.joined(separator: ", ")) settings; "
                                      + "only training.maxEpochs, training.patience and training.wallClockSeconds may change on resume")
            }
        }
        let progress: Progress
        do { progress = try JSONDecoder().decode(Progress.self, from: Data(progressText.utf8)) } catch {
            throw CheckpointError(file: path, "seqrec.progress is unreadable: \(error)")
        }
        try ModelCheckpoint.assign(tensors, to: model.parameters, file: path, prefix: "weights/")
        let shadow = model.parameters.map { Parameter($0.name, $0.value) }
        try ModelCheckpoint.assign(tensors, to: shadow, file: path, prefix: "best/")
        var moments: [String: (m: [Float], v: [Float])] = [:]
        let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        for p in model.parameters {
            if let m = byName["adam.m/" + p.name], let v = byName["adam.v/" + p.name] { moments[p.name] = (m.scalars, v.scalars) }
        }
        try adam.restore(steps: progress.adamSteps, moments: moments, for: model.parameters)
        return (shadow.map(\.value), progress)
    }
}
