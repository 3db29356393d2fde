#if canImport(Glibc)
import Glibc
#endif

/// A monotonic wall-clock stopwatch for progress lines and benchmarks.
public struct Stopwatch: Sendable {
    private var start: UInt64

    /// Starts timing now.
    public init() { start = Stopwatch.nowNanoseconds() }

    /// Seconds since creation or the last `reset()`.
    public var elapsedSeconds: Double { Double(Stopwatch.nowNanoseconds() - start) * 1e-9 }

    /// Restarts the stopwatch.
    public mutating func reset() { start = Stopwatch.nowNanoseconds() }

    /// Nanoseconds of the monotonic clock.
    public static func nowNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
