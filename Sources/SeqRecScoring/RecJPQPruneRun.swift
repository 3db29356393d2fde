import SeqRecCore
import Synchronization

/// One step of Algorithm 4: sub-ids `from..<to` (in visit order) of `split`, and σ before it.
struct PruneStep {
    let split: Int
    let from: Int
    let to: Int
    let sigma: Float
}

/// The state one query's threads share: the steps in visit order (made on demand by one
/// thread at a time), the next step to claim and θ, the best K-th score any thread's top-K has reached.
///
/// Sub-ids are visited by descending score within each split, ties by lower sub-id. They come
/// off one binary heap per split as the steps need them: a query visits a fraction of the
/// sub-ids, so sorting all m·b of them cost more than the steps it made.
final class PruneRun: @unchecked Sendable {
    private let m: Int, b: Int, batchSize: Int
    private let s: UnsafePointer<Float>
    // The three shared words each thread writes (the next step to claim, θ, the steps made) on
    // cache lines of their own: false sharing between them cost a line transfer per claim.
    private let next = Atomic<Int>(0)
    private let padding0: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    private let thetaBits = Atomic<UInt32>((-Float.infinity).bitPattern)
    private let padding1: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    private let made = Atomic<Int>(0)
    private let making = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)
    private let padding2: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    private let steps: UnsafeMutableBufferPointer<PruneStep>
    /// Visit order: `ranked[split·b + r]` is the r-th best sub-id of `split` for every r below
    /// that split's `popped` count (written before the step that needs it is published).
    private let ranked: UnsafeMutablePointer<Int32>
    /// The step maker's state (flat buffers: no copy-on-write or exclusivity checks in the
    /// loop), touched only by the thread holding `making`: per split the visit pointer, the
    /// sub-ids popped so far, the score of the next sub-id, and a min-heap of keys
    /// (order-preserving descending score bits, then the sub-id) in `heaps[split·b ..< split·b + heapSize[split]]`.
    private let pointer: UnsafeMutablePointer<Int>
    private let popped: UnsafeMutablePointer<Int>
    private let nextValue: UnsafeMutablePointer<Float>
    private let heapSize: UnsafeMutablePointer<Int>
    private let heaps: UnsafeMutablePointer<UInt64>
    private var exhausted = false

    init(_ s: UnsafePointer<Float>, m: Int, b: Int, batchSize: Int) {
        self.m = m
        self.b = b
        self.batchSize = batchSize
        self.s = s
        steps = .allocate(capacity: m * b + 1)
        ranked = .allocate(capacity: m * b)
        pointer = .allocate(capacity: m)
        popped = .allocate(capacity: m)
        nextValue = .allocate(capacity: m)
        heapSize = .allocate(capacity: m)
        heaps = .allocate(capacity: m * b)
        for split in 0..<m {
            let h = heaps + split * b
            for j in 0..<b {
                let bits = s[split * b + j].bitPattern
                // Total order of floats without a branch (signs are random): negative → all bits
                // flipped, positive → the sign bit set.
                let ascending = bits ^ (UInt32(bitPattern: Int32(bitPattern: bits) >> 31) | 0x8000_0000)
                h[j] = UInt64(~ascending) << 32 | UInt64(j)
            }
            for i in stride(from: b / 2 - 1, through: 0, by: -1) { Self.siftDown(h, b, i) }
            heapSize[split] = b
            pointer[split] = 0
            popped[split] = 0
            rank(split, through: 0)
            nextValue[split] = s[split * b + subID(split, 0)]
        }
    }

    deinit {
        steps.deallocate()
        ranked.deallocate()
        pointer.deallocate()
        popped.deallocate()
        nextValue.deallocate()
        heapSize.deallocate()
        heaps.deallocate()
    }

    private static func siftDown(_ h: UnsafeMutablePointer<UInt64>, _ count: Int, _ start: Int) {
        var p = start
        while true {
            let l = 2 * p + 1, r = l + 1
            var w = p
            if l < count && h[l] < h[w] { w = l }
            if r < count && h[r] < h[w] { w = r }
            if w == p { return }
            let x = h[p]
            h[p] = h[w]
            h[w] = x
            p = w
        }
    }

    /// The `rank`-th best sub-id of `split` (ranks of published steps only).
    @inline(__always)
    func subID(_ split: Int, _ rank: Int) -> Int { Int(ranked[split * b + rank]) }

    /// θ: −∞ until some thread's top-K is full.
    var theta: Float { Float(bitPattern: thetaBits.load(ordering: .acquiring)) }

    /// Raises θ to `value` if higher.
    func raise(_ value: Float) {
        var current = thetaBits.load(ordering: .relaxed)
        while value > Float(bitPattern: current) {
            let (exchanged, original) = thetaBits.compareExchange(expected: current, desired: value.bitPattern,
                                                                  successOrdering: .releasing, failureOrdering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The next unclaimed step, or nil once some split has every sub-id visited (every item scored).
    /// One thread makes steps at a time; the other waits for them spinning (a lock's sleep
    /// cost more than making the steps).
    func claim() -> PruneStep? {
        let t = next.wrappingAdd(1, ordering: .relaxed).oldValue
        while true {
            if t < made.load(ordering: .acquiring) { return steps[t] }
            if done.load(ordering: .acquiring) { return t < made.load(ordering: .acquiring) ? steps[t] : nil }
            if making.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
                make(upTo: t)
                making.store(false, ordering: .releasing)
            }
        }
    }

    /// Makes steps in visit order until step `t` exists (and a few more) or the sub-ids run
    /// out: each step takes the next `batchSize` sub-ids of the split whose next sub-id scores highest.
    private func make(upTo t: Int) {
        var count = made.load(ordering: .relaxed)
        while count <= t + 16 {
            if exhausted { done.store(true, ordering: .releasing); break }
            // σ: the next sub-id scores in split order (the same sum whichever split moved last).
            var sigma: Float = 0
            var best = 0, bestValue = -Float.infinity
            for split in 0..<m {
                let v = nextValue[split]
                sigma += v
                if split == 0 || v > bestValue { best = split; bestValue = v }
            }
            let from = pointer[best], upto = Swift.min(b, from + batchSize)
            rank(best, through: Swift.min(upto, b - 1))
            steps[count] = PruneStep(split: best, from: from, to: upto, sigma: sigma)
            pointer[best] = upto
            if upto >= b { exhausted = true } else { nextValue[best] = s[best * b + subID(best, upto)] }
            count += 1
            made.store(count, ordering: .releasing)
        }
    }

    /// Pops sub-ids of `split` off its heap until rank `r` is known.
    private func rank(_ split: Int, through r: Int) {
        let h = heaps + split * b
        while popped[split] <= r {
            ranked[split * b + popped[split]] = Int32(truncatingIfNeeded: h[0] & 0xFFFF_FFFF)
            heapSize[split] -= 1
            h[0] = h[heapSize[split]]
            if heapSize[split] > 0 { Self.siftDown(h, heapSize[split], 0) }
            popped[split] += 1
        }
    }
}

/// A top-K that offers each item once (an item is in the posting lists of every split).
struct HeldTopK {
    var selector: TopKSelector
    private var held = Set<Int32>()

    init(keep: Int) { selector = TopKSelector(k: keep) }

    @inline(__always)
    mutating func offer(_ score: Float, _ item: Int32) {
        if held.contains(item) { return }
        let (kept, evicted) = selector.offerReportingEviction(score, item)
        if kept { held.insert(item) }
        if let evicted { held.remove(evicted) }
    }
}
