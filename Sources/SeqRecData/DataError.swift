import SeqRecCore

/// A problem with input data, naming the file and line where there is one.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or data source) involved.
    public let file: String
    /// 1-based line number, or nil when the problem is not tied to a line.
    public let line: Int?
    /// What was wrong and what was expected.
    public let message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message.abbreviated(to: 600)
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
