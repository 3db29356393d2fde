import Foundation
import SeqRecCore

/// Where a run writes: `model.safetensors` (best weights so far, with config, fingerprint and
/// vocabulary), `training-state.safetensors` (everything to resume), `log.jsonl` (one epoch a line).
public struct RunDirectory: Sendable {
    public let path: String
    /// Metadata stamped into every checkpoint (see `ModelCheckpoint.metadata`).
    public let metadata: [String: String]
    public init(path: String, metadata: [String: String]) {
        self.path = path
        self.metadata = metadata
    }
    public var modelPath: String { path + "/" + ModelCheckpoint.fileName }
    public var statePath: String { path + "/" + TrainingState.fileName }
    public var logPath: String { path + "/log.jsonl" }
}

/// The JSONL epoch log. On resume it is rewritten from the checkpoint's history first, so it
/// never holds an epoch the checkpoint does not (or misses one it does).
struct EpochLog {
    let handle: FileHandle

    init(path: String, history: [TrainingReport.EpochRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = Data()
        for r in history { text += try encoder.encode(r) + Data("\n".utf8) }
        try AtomicFile.write(text, to: path)
        guard let h = FileHandle(forWritingAtPath: path) else { throw CheckpointError(file: path, "cannot open the log for writing") }
        h.seekToEndOfFile()
        handle = h
    }

    func append(_ record: TrainingReport.EpochRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        handle.write(try encoder.encode(record) + Data("\n".utf8))
    }
}
