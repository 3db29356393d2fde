import SeqRecCore

/// Runs `body` `warmup` times untimed, then `runs` times; returns sorted seconds.
public func measure(warmup: Int = 1, runs: Int, _ body: () -> Void) -> [Double] {
    for _ in 0..<warmup { body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let sw = Stopwatch()
        body()
        times.append(sw.elapsedSeconds)
    }
    return times.sorted()
}

public func median(_ sorted: [Double]) -> Double {
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

public func fmt(_ v: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", v)
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Read bandwidth in GB/s: the median time to sum 1 GiB of floats, split over the thread budget
/// (the floor for a scan that must read every byte of its input once).
public func memoryReadBandwidth(runs: Int = 5) -> Double {
    let n = 256 << 20
    let buf = [Float](repeating: 1, count: n)
    var sink: Float = 0
    let t = measure(runs: runs) {
        buf.withUnsafeBufferPointer { b in
            let chunks = ThreadBudget.threads
            var partial = [Float](repeating: 0, count: chunks)
            partial.withUnsafeMutableBufferPointer { pp in
                Parallel.forChunks(n, grain: n / chunks) { c, r in
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    var i = r.lowerBound
                    while i + 4 <= r.upperBound {
                        s0 += b[i]; s1 += b[i + 1]; s2 += b[i + 2]; s3 += b[i + 3]
                        i += 4
                    }
                    pp[c] = s0 + s1 + s2 + s3
                }
            }
            sink += partial.reduce(0, +)
        }
    }
    precondition(sink > 0)
    return Double(n * 4) / median(t) / 1e9
}
