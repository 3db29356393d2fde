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

    /// Current resident set size in bytes (`/proc/self/statm`), or nil where unavailable.
    public static func residentBytes() -> Int? {
        guard let f = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, 256, f) != nil else { return nil }
        let fields = String(cString: line).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Resets the kernel's peak-RSS mark (`VmHWM`, Linux ≥ 4.0) so that a benchmark can report
    /// the peak of one phase. Returns false where unsupported.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let f = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(f) }
        return fputs("5", f) >= 0
    }

    /// Peak RSS since the last `resetPeak()` (`VmHWM` from `/proc/self/status`), in bytes.
    public static func peakSinceResetBytes() -> Int? {
        guard let f = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, f) != nil {
            let text = String(cString: line)
            if text.hasPrefix("VmHWM:") {
                let digits = text.filter(\.isNumber)
                return Int(digits).map { $0 * 1024 }
            }
        }
        return nil
    }
}
