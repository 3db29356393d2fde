import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The persistent worker threads behind `Parallel.for`: they spin for a short while after each
/// loop before parking, so the next loop starts without a thread wake-up.
///
/// Why not `DispatchQueue.concurrentPerform` alone: it wakes a parked worker through a semaphore
/// for every loop (3–10 µs on this project's VMs), and a SASRec training step runs a few hundred
/// loops of 20–100 µs each, so the caller often finished both halves alone before the worker
/// arrived (small SASRec ran only 1.3× faster on two threads than on one).
///
/// One loop at a time: a loop started while another runs (another thread of the process, e.g.
/// concurrent tests) returns `false` from `run` and the caller falls back to libdispatch.
/// Chunk `c` is always the same range of indices, whichever thread runs it, so results do not
/// depend on scheduling. Part of the documented thread budget (see `ThreadBudget`).
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How long an idle worker spins before parking (nanoseconds).
    private static let spinNanoseconds: UInt64 = 200_000

    /// One loop: a body over chunk indices `0..<chunks`, claimed one by one.
    private final class Job: @unchecked Sendable {
        let chunks: Int
        /// Pool threads allowed to join (the thread budget minus the caller).
        let workers: Int
        /// Points at the caller's (non-escaping) body on the caller's stack; only dereferenced
        /// for a claimed chunk, and the caller waits for every claimed chunk to finish.
        let body: UnsafeRawPointer
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        init(chunks: Int, workers: Int, body: UnsafeRawPointer) {
            self.chunks = chunks
            self.workers = workers
            self.body = body
        }

        /// Runs chunks until none is left.
        func drain() {
            while true {
                let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if c >= chunks { return }
                body.assumingMemoryBound(to: ((Int) -> Void).self).pointee(c)
                finished.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    private let busy = Atomic<Bool>(false)
    private let published = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `mutex`.
    private var current: Job?
    private var generation = 0
    // Touched only by the thread holding `busy`.
    private var started = 0

    private init() {
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs `body(c)` for every `c` in `0..<chunks` on the caller and up to `workers` pool
    /// threads. Returns `false` without running anything when another loop holds the pool.
    func run(chunks: Int, workers: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        while started < workers {
            startWorker(index: started)
            started += 1
        }
        withoutActuallyEscaping(body) { escapable in
            var holder = escapable
            withUnsafeMutablePointer(to: &holder) { p in
                let job = Job(chunks: chunks, workers: workers, body: UnsafeRawPointer(p))
                pthread_mutex_lock(mutex)
                current = job
                generation += 1
                published.store(generation, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 { pthread_cond_broadcast(wake) }
                pthread_mutex_unlock(mutex)
                Parallel.inRegion { job.drain() }
                while job.finished.load(ordering: .acquiring) < chunks { spinPause() }
                pthread_mutex_lock(mutex)
                current = nil
                pthread_mutex_unlock(mutex)
            }
        }
        return true
    }

    private final class Start {
        let pool: WorkerPool
        let index: Int
        init(pool: WorkerPool, index: Int) {
            self.pool = pool
            self.index = index
        }
    }

    private func startWorker(index: Int) {
        let box = Unmanaged.passRetained(Start(pool: self, index: index)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.pool.workerLoop(index: start.index)
            return nil
        }, box)
        precondition(rc == 0, "WorkerPool: pthread_create failed with \(rc)")
        pthread_detach(thread)
    }

    /// Worker `index` joins only jobs that allow more than `index` workers, so a lowered
    /// thread budget is respected by the threads already started.
    private func workerLoop(index: Int) {
        pthread_setspecific(Parallel.regionKey, UnsafeRawPointer(bitPattern: 1))
        var seen = 0
        while true {
            waitForNewGeneration(after: seen)
            pthread_mutex_lock(mutex)
            let job = current
            seen = generation
            pthread_mutex_unlock(mutex)
            if let job, index < job.workers { job.drain() }
        }
    }

    /// Spins until `published` moves past `seen`, then parks on the condition variable.
    private func waitForNewGeneration(after seen: Int) {
        let start = monotonicNanoseconds()
        var spins = 0
        while published.load(ordering: .acquiring) == seen {
            spinPause()
            spins += 1
            if spins & 255 == 0 && monotonicNanoseconds() - start > Self.spinNanoseconds {
                pthread_mutex_lock(mutex)
                sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                while published.load(ordering: .sequentiallyConsistent) == seen { pthread_cond_wait(wake, mutex) }
                sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
                return
            }
        }
    }

    /// A few relaxed loads between polls (Swift has no portable `pause`).
    @inline(__always) private func spinPause() {
        for _ in 0..<8 { _ = published.load(ordering: .relaxed) }
    }

    private func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
