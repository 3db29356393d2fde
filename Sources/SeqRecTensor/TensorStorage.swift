import Foundation

/// The contiguous Float32 buffer behind a `Tensor` (shared until written: copy-on-write).
///
/// When created inside `BufferPool.withPool`, the buffer comes from, and returns to, that pool,
/// so a training step that repeats the same shapes allocates no new tensor memory after the
/// first step.
public final class TensorStorage: @unchecked Sendable {
    /// Start of the buffer.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of Float elements.
    public let count: Int
    @usableFromInline let pool: BufferPool?

    @usableFromInline
    init(pointer: UnsafeMutablePointer<Float>, count: Int, pool: BufferPool?) {
        self.pointer = pointer
        self.count = count
        self.pool = pool
    }

    /// An uninitialised buffer of `count` floats, from the current pool when there is one.
    @inlinable
    static func uninitialized(_ count: Int) -> TensorStorage {
        if let pool = BufferPool.current {
            return TensorStorage(pointer: pool.take(count), count: count, pool: pool)
        }
        return TensorStorage(pointer: BufferPool.allocateFresh(count), count: count, pool: nil)
    }

    /// A zero-filled buffer of `count` floats.
    @inlinable
    static func zeros(_ count: Int) -> TensorStorage {
        let s = uninitialized(count)
        s.pointer.initialize(repeating: 0, count: count)
        return s
    }

    /// A copy of this buffer.
    @usableFromInline
    func copy() -> TensorStorage {
        let s = TensorStorage.uninitialized(count)
        s.pointer.update(from: pointer, count: count)
        return s
    }

    deinit {
        if let pool {
            pool.give(pointer, count: count)
        } else {
            pointer.deallocate()
        }
    }
}

/// A reusable set of tensor buffers, keyed by size class (the caching allocator of a training loop).
///
/// A training step creates and frees the same set of activation and gradient buffers every
/// step; recycling them avoids page faults on fresh large allocations and heap traffic. Sizes
/// above 1,024 floats are rounded up to one of eight classes per power of two (at most 12.5 %
/// slack), so steps whose shapes vary a little — e.g. a different number of real, unpadded
/// positions per batch — still reuse buffers instead of faulting in fresh pages. A pool
/// is explicit state: a trainer owns one and activates it around its steps with `withPool`.
/// Buffers are handed out uninitialised. Thread-safe.
public final class BufferPool: @unchecked Sendable {
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private let lock = NSLock()
    /// Buffers created because none of the right size was free.
    public private(set) var freshAllocations = 0
    /// Buffers handed out again from the free lists.
    public private(set) var reuses = 0
    /// Floats currently held in the free lists.
    public private(set) var idleFloats = 0

    public init() {}

    /// The pool active for the current task, if any.
    @TaskLocal public static var current: BufferPool?

    /// Runs `body` with this pool serving every new tensor buffer.
    public func withPool<R>(_ body: () throws -> R) rethrows -> R {
        try BufferPool.$current.withValue(self, operation: body)
    }

    @usableFromInline
    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let size = BufferPool.sizeClass(count)
        lock.lock()
        defer { lock.unlock() }
        if let p = free[size]?.popLast() {   // in place: no copy of the free list
            reuses += 1
            idleFloats -= size
            return p
        }
        freshAllocations += 1
        return BufferPool.allocateFresh(size)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let size = BufferPool.sizeClass(count)
        lock.lock()
        free[size, default: []].append(pointer)
        idleFloats += size
        lock.unlock()
    }

    /// The capacity a pooled buffer of `count` floats gets: exact up to 1,024, else rounded up
    /// to a multiple of an eighth of the largest power of two not above `count`.
    @usableFromInline
    static func sizeClass(_ count: Int) -> Int {
        guard count > 1024 else { return count }
        let power = 1 << (Int.bitWidth - 1 - count.leadingZeroBitCount)
        let step = power / 8
        return (count + step - 1) / step * step
    }

    /// Frees every idle buffer (e.g. after a change of batch shape).
    public func trim() {
        lock.lock()
        for (_, list) in free { for p in list { p.deallocate() } }
        free.removeAll()
        idleFloats = 0
        lock.unlock()
    }

    /// Resets the allocation counters (not the buffers).
    public func resetCounters() {
        lock.lock()
        freshAllocations = 0
        reuses = 0
        lock.unlock()
    }

    @usableFromInline
    static func allocateFresh(_ count: Int) -> UnsafeMutablePointer<Float> {
        // 64-byte alignment for AVX-512 loads; at least one element so pointers are valid.
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    deinit { trim() }
}
