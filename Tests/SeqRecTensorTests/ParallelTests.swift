import Dispatch
import SeqRecCore
import Synchronization
import Testing

/// `Parallel.for` on the spinning worker pool: every index exactly once, chunk boundaries fixed,
/// nested loops inline, and loops started from several threads at once (the pool runs one,
/// the rest fall back to libdispatch) all complete correctly.
@Suite struct ParallelTests {
    /// Runs `Parallel.for` over `count` indices and returns how often each index was visited.
    static func visits(_ count: Int, grain: Int) -> [Int] {
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { h in
            let p = h.baseAddress!
            Parallel.for(count, grain: grain) { r in for i in r { p[i] += 1 } }
        }
        return hits
    }

    @Test func everyIndexExactlyOnceOverManyLoops() {
        for round in 0..<500 {
            let count = 1 + (round * 7919) % 50_000
            let hits = Self.visits(count, grain: 64)
            #expect(hits.allSatisfy { $0 == 1 }, "round \(round), count \(count)")
        }
    }

    @Test func chunksAreTheSameRangesEveryTime() {
        let count = 100_003, grain = 1_000
        let chunks = Parallel.chunkCount(count, grain: grain)
        var seen = [Range<Int>?](repeating: nil, count: chunks)
        for _ in 0..<50 {
            var now = [Range<Int>?](repeating: nil, count: chunks)
            now.withUnsafeMutableBufferPointer { b in
                let p = b.baseAddress!
                Parallel.forChunks(count, grain: grain) { c, r in p[c] = r }
            }
            if seen[0] == nil { seen = now }
            #expect(now == seen)
            #expect(now.compactMap { $0 }.reduce(0) { $0 + $1.count } == count)
        }
    }

    @Test func nestedLoopsRunInlineInsideARegion() {
        let nestedInside = Atomic<Int>(0)
        Parallel.for(4, grain: 1) { r in
            for _ in r {
                #expect(Parallel.isInsideRegion)
                Parallel.for(10_000, grain: 1) { inner in
                    if inner == 0..<10_000 { nestedInside.wrappingAdd(1, ordering: .relaxed) }
                }
            }
        }
        #expect(nestedInside.load(ordering: .relaxed) == 4)
        #expect(!Parallel.isInsideRegion)
    }

    @Test func loopsFromSeveralThreadsAtOnceAllComplete() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for round in 0..<200 {
                let count = 10_000 + 13 * round + t
                let hits = Self.visits(count, grain: 100)
                if !hits.allSatisfy({ $0 == 1 }) { failures.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}
