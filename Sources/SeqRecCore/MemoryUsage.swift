#if canImport(Glibc)
import Glibc
#endif

/// Process memory figures for benchmarks, tests and result records.
public enum MemoryUsage {
    /// Peak resident set size of this process so far, in bytes (`getrusage` max RSS).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
