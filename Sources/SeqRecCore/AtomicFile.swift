import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that readers never see a partial result: the bytes go to a temporary file
/// in the same directory, which is then renamed over the destination. A failed or interrupted
/// write leaves the old file (or none) behind, never a truncated one.
public enum AtomicFile {
    /// Writes `data` to `path` atomically, creating parent directories as needed.
    /// - Throws: `FileError` naming the file and the reason ("no space left on device").
    public static func write(_ data: Data, to path: String) throws {
        try write(parts: [data], to: path)
    }

    /// Writes the concatenation of `parts` to `path` atomically (large files without joining
    /// them in memory first).
    public static func write(parts: [Data], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw FileError(file: dir.path, "cannot create the directory: \(IOFailure.describe(error))")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent)\(temporaryMarker)\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        do {
            if parts.count == 1 {
                try parts[0].write(to: tmp)
            } else {
                guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
                    throw FileError(file: tmp.path, "cannot create the file")
                }
                let handle = try FileHandle(forWritingTo: tmp)
                defer { try? handle.close() }
                for part in parts { try handle.write(contentsOf: part) }
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw FileError(file: path, "\(IOFailure.describe(error)) while writing")
        }
        // rename(2) replaces the destination atomically (Foundation's replaceItemAt on Linux
        // can remove the old file and then fail).
        guard rename(tmp.path, url.path) == 0 else {
            let reason = IOFailure.reason(errno)
            try? FileManager.default.removeItem(at: tmp)
            throw FileError(file: path, "\(reason) while renaming the written file into place")
        }
    }

    /// What marks a temporary file: `.NAME.tmp-PID-UUID`.
    static let temporaryMarker = ".tmp-"

    /// Removes the temporary files in `directory` whose writing process is gone (killed runs
    /// leave them; a live writer's are kept). Returns how many were removed.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: temporaryMarker, options: .backwards) else { continue }
            let pidText = name[marker.upperBound...].prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid > 0 else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }   // the writer is alive
            if (try? FileManager.default.removeItem(atPath: directory + "/" + name)) != nil { removed += 1 }
        }
        return removed
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
