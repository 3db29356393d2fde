import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a run directory for as long as a process works in it: a second `train`
/// on the same `--out` fails at once, naming the process that holds it, instead of both writing
/// a mixed directory. The lock is `flock(2)` on `.lock` (which holds the owner's pid), so a lock
/// left by a killed process is stale by construction and is taken over, never waited for.
public final class RunLock {
    public static let fileName = ".lock"
    public let directory: String
    private var fd: Int32

    /// Takes the lock of `directory` (created if missing) and removes temporary files that
    /// killed writers left there.
    /// - Throws: `FileError` when another live process holds it.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + RunLock.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(file: path, "cannot create the lock file: \(IOFailure.reason(errno))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw FileError(file: directory, "in use by another process (pid \(owner.isEmpty ? "unknown" : owner), lock \(path)); "
                                + "wait for it to finish or stop it")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        self.directory = directory
        self.fd = fd
        AtomicFile.removeStaleTemporaries(in: directory)
    }

    /// Releases the lock (also done when the process exits, however it exits).
    public func release() {
        guard fd >= 0 else { return }
        unlink(directory + "/" + RunLock.fileName)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// Text for a failed system call or file operation: "no space left on device", not
/// `NSCocoaErrorDomain Code=640`.
public enum IOFailure {
    /// The C library's text for `code` (`strerror`).
    public static func reason(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }

    /// A readable reason for a Foundation or POSIX error.
    public static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return reason(Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(Int32(underlying.code))
        }
        switch ns.code {
        case CocoaError.fileWriteOutOfSpace.rawValue: return "no space left on device"
        case CocoaError.fileWriteNoPermission.rawValue, CocoaError.fileReadNoPermission.rawValue: return "permission denied"
        case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue: return "no such file or directory"
        case CocoaError.fileWriteVolumeReadOnly.rawValue: return "read-only file system"
        default: return ns.localizedDescription
        }
    }
}
