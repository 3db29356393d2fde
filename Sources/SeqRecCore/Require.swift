/// Stops the process with `message` when `condition` is false — a precondition whose message
/// survives optimised builds (Swift drops `precondition` messages under `-O`), so a shape
/// mismatch always names the op and both shapes.
@inlinable @inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { requireFailed(message(), file: file, line: line) }
}

/// Stops the process with `message` (the unconditional form of `require`).
@inline(never)
public func requireFailed(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message, file: file, line: line)
}
