#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where long-running commands report progress. On a terminal, one status line rewritten in
/// place (at most `refreshesPerSecond` times a second) with permanent messages printed above it;
/// elsewhere (a log file, CI) the status is printed as a line at most every `interval` seconds,
/// so a 45-second quick start or a 3-hour run leaves a short, readable log.
///
/// It holds the display's own state (what was last drawn, when); one instance per command.
public final class ProgressDisplay: @unchecked Sendable {
    /// Where text goes (standard error by default).
    private let write: (String) -> Void
    /// True when the output is a terminal: the status line is redrawn in place.
    public let isTerminal: Bool
    /// Seconds between status lines when not on a terminal.
    public let interval: Double
    private let refreshSeconds: Double
    private let now: () -> Double
    private let width: Int
    private let lock = NSLock()
    private var shown: String?            // the status line on screen (terminal)
    private var lastDraw = -Double.infinity
    private var lastLine = -Double.infinity
    private var pending: String?           // latest status not yet printed

    /// - Parameters:
    ///   - write: sink for the text (defaults to standard error, unbuffered).
    ///   - isTerminal: nil detects whether standard error is a terminal.
    ///   - interval: seconds between status lines when not on a terminal.
    ///   - now: a clock in seconds (for tests).
    public init(write: ((String) -> Void)? = nil, isTerminal: Bool? = nil, interval: Double = 30,
                refreshesPerSecond: Double = 4, now: (() -> Double)? = nil) {
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
        self.isTerminal = isTerminal ?? (isatty(STDERR_FILENO) == 1)
        self.interval = interval
        self.refreshSeconds = 1 / max(refreshesPerSecond, 0.001)
        let clock = Stopwatch()
        self.now = now ?? { clock.elapsedSeconds }
        self.width = ProgressDisplay.terminalColumns() ?? 120
    }

    /// A transient status (step, rate, loss, ETA…): redrawn in place on a terminal, else printed
    /// at most every `interval` seconds. `force` prints it now (e.g. the first status of a task).
    public func status(_ text: String, force: Bool = false) {
        lock.lock(); defer { lock.unlock() }
        let t = now()
        if isTerminal {
            pending = text
            guard force || t - lastDraw >= refreshSeconds else { return }
            draw(text)
            lastDraw = t
            pending = nil
        } else {
            pending = text
            guard force || t - lastLine >= interval else { return }
            write(text + "\n")
            lastLine = t
            pending = nil
        }
    }

    /// A permanent line (a task started or finished, a warning): printed above the status line.
    public func message(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        if isTerminal {
            let status = shown
            clearLine()
            write(text + "\n")
            if let status { draw(status) }
        } else {
            write(text + "\n")
        }
    }

    /// Ends the status line: on a terminal the last status stays visible (its line is ended);
    /// elsewhere the last status not yet printed is printed, so the log shows where a task stopped.
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        if isTerminal {
            if let p = pending { draw(p) }
            if shown != nil { write("\n") }
            shown = nil
        } else if let p = pending {
            write(p + "\n")
        }
        pending = nil
        lastLine = -Double.infinity
    }

    private func draw(_ text: String) {
        let line = text.count > width - 1 ? String(text.prefix(width - 2)) + "…" : text
        write("\r" + line + "\u{1B}[K")
        shown = text
    }

    private func clearLine() {
        if shown != nil { write("\r\u{1B}[K") }
        shown = nil
    }

    /// Columns of the terminal on standard error, if it is one.
    static func terminalColumns() -> Int? {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 10 else { return nil }
        return Int(size.ws_col)
    }

    /// "42s", "3m05s", "1h02m": a duration in the units a person reads at a glance.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
