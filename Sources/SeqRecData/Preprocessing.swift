import SeqRecCore

/// How raw interactions become sequences: ordering, k-core filtering, id numbering.
///
/// Ordering policy (recorded in the fingerprint): each user's interactions are sorted by
/// timestamp **stably** — equal timestamps keep their file order, never item-id order (which
/// plants artificial patterns: about half of ML-1M's timestamps are shared). Without
/// timestamps the file order is the chronological order.
public struct Preprocessing: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Users with fewer interactions are removed (the thesis uses 5).
    public var minUserInteractions: Int
    /// Items with fewer interactions are removed.
    public var minItemInteractions: Int
    /// Repeat both filters until nothing changes (k-core); otherwise apply each once.
    public var iterative: Bool

    public init(minUserInteractions: Int = 0, minItemInteractions: Int = 0, iterative: Bool = true) {
        self.minUserInteractions = minUserInteractions
        self.minItemInteractions = minItemInteractions
        self.iterative = iterative
    }

    /// The thesis's setting: remove users with fewer than 5 interactions.
    public static let thesis = Preprocessing(minUserInteractions: 5)

    public var description: String {
        "order=timestamp-stable(file order on ties); minUser=\(minUserInteractions); minItem=\(minItemInteractions); iterative=\(iterative); "
            + "ids=numeric-ascending-if-all-numeric-else-first-appearance"
    }

    /// Groups, orders, filters and numbers `log` into a dataset.
    /// - Throws: `DataError` if nothing survives the filters.
    public func apply(to log: InteractionLog, name: String) throws -> SequenceDataset {
        let n = log.count
        guard n > 0 else { throw DataError(file: log.source, "no interactions") }
        let userCount = log.users.count
        // Stable counting sort by user (file order within a user).
        var starts = [Int](repeating: 0, count: userCount + 1)
        for u in log.userIndex { starts[Int(u) + 1] += 1 }
        for u in 0..<userCount { starts[u + 1] += starts[u] }
        var order = [Int](repeating: 0, count: n)
        var next = starts
        for k in 0..<n {
            let u = Int(log.userIndex[k])
            order[next[u]] = k
            next[u] += 1
        }
        if let ts = log.timestamps {
            for u in 0..<userCount {
                let r = starts[u]..<starts[u + 1]
                var slice = Array(order[r])
                // Stable: ties broken by position in the file.
                slice.sort { ts[$0] != ts[$1] ? ts[$0] < ts[$1] : $0 < $1 }
                order.replaceSubrange(r, with: slice)
            }
        }
        // k-core filtering.
        var userAlive = [Bool](repeating: true, count: userCount)
        var itemAlive = [Bool](repeating: true, count: log.items.count)
        while true {
            var uc = [Int](repeating: 0, count: userCount), ic = [Int](repeating: 0, count: log.items.count)
            for k in 0..<n {
                let u = Int(log.userIndex[k]), i = Int(log.itemIndex[k])
                if userAlive[u] && itemAlive[i] { uc[u] += 1; ic[i] += 1 }
            }
            var changed = false
            for u in 0..<userCount where userAlive[u] && (uc[u] < Swift.max(minUserInteractions, 1)) {
                userAlive[u] = false
                changed = true
            }
            for i in 0..<log.items.count where itemAlive[i] && (ic[i] < Swift.max(minItemInteractions, 1)) {
                itemAlive[i] = false
                changed = true
            }
            if !changed || !iterative { break }
        }
        // Number items and users: by numeric value if all ids are integers, else first appearance.
        func numbering(_ table: TokenTable, _ alive: [Bool]) -> [Int] {
            var keep = (0..<table.count).filter { alive[$0] }
            if table.allNumeric { keep.sort { Int64(table.tokens[$0])! < Int64(table.tokens[$1])! } }
            return keep
        }
        let itemOrder = numbering(log.items, itemAlive)
        var itemID = [Int32](repeating: 0, count: log.items.count)
        for (k, i) in itemOrder.enumerated() { itemID[i] = Int32(k + 1) }
        let userOrder = numbering(log.users, userAlive)
        var offsets = [0]
        var items: [Int32] = []
        var times: [Double]? = log.timestamps == nil ? nil : []
        items.reserveCapacity(n)
        for u in userOrder {
            for k in order[starts[u]..<starts[u + 1]] where itemAlive[Int(log.itemIndex[k])] {
                items.append(itemID[Int(log.itemIndex[k])])
                times?.append(log.timestamps![k])
            }
            offsets.append(items.count)
        }
        guard !items.isEmpty else {
            throw DataError(file: log.source, "no interactions left after filtering (\(self))")
        }
        let vocabulary = try ItemVocabulary(externalIDs: itemOrder.map { log.items.tokens[$0] })
        return SequenceDataset(name: name, userIDs: userOrder.map { log.users.tokens[$0] }, offsets: offsets,
                               items: items, timestamps: times, vocabulary: vocabulary,
                               provenance: "source=\(log.source); \(self)")
    }
}
