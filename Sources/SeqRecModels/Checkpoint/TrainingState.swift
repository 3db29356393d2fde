import Foundation
import SeqRecCompression
import SeqRecCore
import SeqRecNN
import SeqRecTensor

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

    static func save(model: any SequentialModel, best: [Tensor], adam: Adam, progress: Progress, metadata: [String: String], to path: String) throws {
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
        let codes = ModelCheckpoint.codeTensors(model)
        meta[integrityKey] = integrity(tensors, codes)
        try SafeTensors.write(tensors, bytes: codes, metadata: meta, to: path)
    }

    /// Metadata key of the content hash of every tensor, checked on resume.
    static let integrityKey = "seqrec.content_hash"

    /// A 128-bit hash of the tensors' names and values: a state changed or damaged after it was
    /// written (a bit flip, a partial copy that still parses) is refused instead of resumed.
    static func integrity(_ tensors: [(name: String, tensor: Tensor)], _ bytes: [(name: String, tensor: SafeTensors.ByteTensor)]) -> String {
        var h = ContentHasher()
        for (name, t) in tensors.sorted(by: { $0.name < $1.name }) {
            h.mix(name)
            t.withUnsafeBufferPointer { for x in $0 { h.mix(word: x.bitPattern) } }
        }
        for (name, b) in bytes.sorted(by: { $0.name < $1.name }) {
            h.mix(name)
            h.mix(bytes: b.bytes)
        }
        return h.hex
    }

    /// The RecJPQ codebook a saved training state was started with (nil for dense models or
    /// when there is no state yet): a resumed run reuses it instead of re-assigning codes.
    static func codebook(path: String, config: any SequentialModelSettings, vocabularySize: Int) throws -> RecJPQCodebook? {
        guard config.itemEmbedding.isRecJPQ, FileManager.default.fileExists(atPath: path) else { return nil }
        return try ModelCheckpoint.codebook(in: SafeTensors.readContents(path: path), config: config,
                                            vocabularySize: vocabularySize, file: path)
    }

    /// Restores weights and Adam; returns the best weights and the progress.
    /// - Throws: `CheckpointError` when the state belongs to another dataset or model, or holds
    ///   non-finite values.
    static func load(path: String, into model: any SequentialModel, adam: Adam, expectedFingerprint: String,
                     metadata: [String: String]) throws -> ([Tensor], Progress) {
        let contents = try SafeTensors.readContents(path: path)
        let (tensors, meta) = (contents.tensors, contents.metadata)
        guard meta["format"] == format, let progressText = meta["seqrec.progress"] else {
            throw CheckpointError(file: path, "not a SeqRec training state (format \(meta["format"] ?? "missing"))")
        }
        if let recorded = meta[integrityKey] {
            guard recorded == integrity(tensors, contents.bytes) else {
                throw CheckpointError(file: path, "its tensors do not match the content hash recorded when it was written: the training "
                                      + "state is damaged (resume from a copy, or start the run again)")
            }
        } else if let bad = tensors.first(where: { t in t.tensor.withUnsafeBufferPointer { !$0.allSatisfy(\.isFinite) } }) {
            // A state written before the hash existed: the trainer never saves one after a
            // non-finite step, so NaN/Inf means the file was damaged after it was written.
            throw CheckpointError(file: path, "tensor \(bad.name) holds NaN or infinite values: the training state is damaged "
                                  + "(a run that diverges keeps its last good state; this file was changed after it was written)")
        }
        let recorded = meta["seqrec.dataset_fingerprint"] ?? "missing"
        guard recorded == expectedFingerprint else {
            throw CheckpointError(file: path, "dataset fingerprint \(recorded) differs from this dataset's \(expectedFingerprint): "
                                  + "resume on the data the run started with")
        }
        if let mine = metadata["seqrec.config"], let theirs = meta["seqrec.config"] {
            let a = try ModelCheckpoint.recordedConfig(mine, file: "this run's config"), b = try ModelCheckpoint.recordedConfig(theirs, file: path)
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
