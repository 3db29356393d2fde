extension String {
    /// The text cut to at most `limit` characters with the number of characters left out, for
    /// error messages that echo user input: a 10 MB field must not become a 10 MB message.
    public func abbreviated(to limit: Int = 200) -> String {
        guard utf8.count > limit else { return self }
        let head = prefix(limit)
        let rest = utf8.count - head.utf8.count
        return head + "… (\(rest) more bytes)"
    }
}
