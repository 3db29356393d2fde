import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The engine's parallel loop, bounded by `ThreadBudget`.
public enum Parallel {
    /// Runs `body` over disjoint chunks covering `0..<count`, on up to `ThreadBudget.threads`
    /// threads. Work below `grain` elements runs inline. The chunking depends only on `count`
    /// and the budget, so results that depend on chunk boundaries are reproducible for a fixed
    /// budget.
    /// Inside a body, nested `Parallel.for` calls and `BLAS.sgemm` run serially (no
    /// oversubscription).
    @inlinable
    public static func `for`(_ count: Int, grain: Int = 32_768,
                             _ body: (Range<Int>) -> Void) {
        let threads = ThreadBudget.threads
        if threads <= 1 || count < 2 * grain || isInsideRegion {
            if count > 0 { body(0..<count) }
            return
        }
        let chunks = Swift.min(threads, (count + grain - 1) / grain)
        let per = (count + chunks - 1) / chunks
        runChunks(chunks, threads: threads) { c in
            let lo = c * per
            let hi = Swift.min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Runs `body(c)` for `c` in `0..<chunks` inside a parallel region, on the spinning
    /// `WorkerPool` (or libdispatch when another loop holds the pool).
    @usableFromInline
    static func runChunks(_ chunks: Int, threads: Int, _ body: (Int) -> Void) {
        if WorkerPool.shared.run(chunks: chunks, workers: threads - 1, body) { return }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in Parallel.inRegion { body(c) } }
        }
    }

    /// True inside a parallel loop body: nested loops and BLAS calls then run serially.
    /// A per-thread flag (pthread key), so entering a region allocates nothing.
    public static var isInsideRegion: Bool { pthread_getspecific(regionKey) != nil }

    @usableFromInline static let regionKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` with this thread marked as inside a parallel region.
    @inlinable
    public static func inRegion(_ body: () -> Void) {
        let outer = pthread_getspecific(regionKey)
        pthread_setspecific(regionKey, UnsafeRawPointer(bitPattern: 1))
        body()
        pthread_setspecific(regionKey, outer)
    }
}

extension Parallel {
    /// Like `for`, but also passes the chunk index, for per-chunk partial results that are
    /// combined afterwards in chunk order (deterministic for a fixed budget).
    /// - Returns: the number of chunks used (partial buffers need that many slots).
    @inlinable
    public static func chunkCount(_ count: Int, grain: Int) -> Int {
        let threads = ThreadBudget.threads
        if threads <= 1 || count < 2 * grain || isInsideRegion { return 1 }
        return Swift.min(threads, (count + grain - 1) / grain)
    }

    /// Runs `body(chunk, range)` for `chunkCount(count, grain:)` chunks covering `0..<count`.
    @inlinable
    public static func forChunks(_ count: Int, grain: Int, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, grain: grain)
        let per = (count + chunks - 1) / Swift.max(chunks, 1)
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        runChunks(chunks, threads: ThreadBudget.threads) { c in
            let lo = c * per
            let hi = Swift.min(count, lo + per)
            body(c, lo..<Swift.max(lo, hi))
        }
    }
}
