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
