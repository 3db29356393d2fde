import Foundation

/// Where and how a result was produced, recorded beside every checkpoint and result so that
/// numbers can be traced to code, machine and thread count.
public struct RunEnvironment: Sendable, Codable, Equatable {
    /// `git rev-parse HEAD` of the working directory's repository, or "unknown".
    public var gitCommit: String
    /// Uncommitted changes to tracked files at run time.
    public var gitDirty: Bool
    /// CPU model and core count (`/proc/cpuinfo`).
    public var machine: String
    /// The thread budget in force.
    public var threads: Int
    /// The BLAS library's own description (filled by the caller that links it).
    public var blas: String

    /// The environment of this process now.
    public static func capture(blas: String = "") -> RunEnvironment {
        let commit = run(["git", "rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines)
        let dirty = run(["git", "status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
        return RunEnvironment(gitCommit: commit.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown", gitDirty: dirty,
                              machine: machineDescription(), threads: ThreadBudget.threads, blas: blas)
    }

    static func machineDescription() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
        let memory = ProcessInfo.processInfo.physicalMemory
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(memory >> 30) GiB"
    }

    /// Runs a command quietly; its standard output, or nil if it failed.
    static func run(_ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
