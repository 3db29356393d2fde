import Foundation

/// The memory a planned allocation may take, checked before anything is allocated or written:
/// a config or data file that would need more than this machine has is an error naming what
/// asked for it, not an allocation abort that leaves a half-made run directory behind.
public enum MemoryBudget {
    /// This machine's physical memory in bytes.
    public static var physicalBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// Throws unless `bytes` fit in the machine's physical memory.
    /// - Parameters:
    ///   - what: what needs the memory, as the user wrote it (`model.maxLength = 100000000`).
    public static func check(_ bytes: Double, for what: String) throws {
        let limit = physicalBytes
        guard bytes.isFinite, bytes <= limit else {
            throw MemoryBudgetError(what: what, neededBytes: bytes, availableBytes: limit)
        }
    }
}

/// A planned allocation larger than the machine's memory.
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable, Sendable {
    public let what: String
    public let neededBytes: Double
    public let availableBytes: Double
    public var description: String {
        "\(what.abbreviated(to: 120)) needs about \(MemoryBudgetError.text(neededBytes)) of memory; this machine has "
            + "\(MemoryBudgetError.text(availableBytes))"
    }
    static func text(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "unbounded" }
        if bytes >= 1e12 { return String(format: "%.3g TB", bytes / 1e12) }
        if bytes >= 1e9 { return String(format: "%.3g GB", bytes / 1e9) }
        return String(format: "%.3g MB", bytes / 1e6)
    }
}
