import Foundation

/// The process-wide thread budget: the one piece of global mutable state in SeqRec.
///
/// It governs both BLAS work and the engine's own parallel loops, so the two never multiply.
/// OpenBLAS itself is always kept single-threaded (see `BLAS` in SeqRecTensor); `BLAS.sgemm`
/// splits large products into `threads` independent single-threaded calls on the engine's
/// pool. This removes nested oversubscription by construction and keeps OpenBLAS's idle
/// worker threads (which spin in `sched_yield` after each call) from competing with the
/// engine's elementwise loops — measured 8–30 % of a SASRec training step before the change.
/// Default: `SEQREC_THREADS` if set, otherwise the number of active cores. Set it once at
/// start-up; with `1` every result is bit-reproducible.
public enum ThreadBudget {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var value: Int = {
        if let s = ProcessInfo.processInfo.environment["SEQREC_THREADS"], let v = Int(s), v > 0 { return v }
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    /// The number of threads the engine may use.
    public static var threads: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// Sets the budget.
    /// - Precondition: `n >= 1`.
    public static func set(_ n: Int) {
        require(n >= 1, "ThreadBudget.set: thread count must be at least 1, got \(n)")
        lock.lock()
        value = n
        lock.unlock()
    }
}
