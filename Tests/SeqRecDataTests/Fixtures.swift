import Foundation
import SeqRecData

/// Writes `text` to a fresh temporary file and returns its path.
func tempFile(_ text: String, name: String = "data.txt") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try! text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// `../shared/datasets` relative to the package root, if present.
func sharedDatasets() -> String? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    let path = url.deletingLastPathComponent().appendingPathComponent("shared/datasets").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}

/// A dataset from literal sequences of integer item ids (users u1…).
func dataset(_ sequences: [[Int]]) throws -> SequenceDataset {
    var log = InteractionLog(source: "literal", hasTimestamps: false)
    for (u, s) in sequences.enumerated() {
        let user = log.users.intern("u\(u + 1)")
        for i in s { log.append(user: user, item: log.items.intern(String(i)), timestamp: nil) }
    }
    return try Preprocessing().apply(to: log, name: "literal")
}
