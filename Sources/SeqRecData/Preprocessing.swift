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
    /// Pass the log itself (not a copy you keep) to let its arrays become the dataset's.
    public func apply(to log: consuming InteractionLog, name: String) throws -> SequenceDataset {
        let n = log.count
        guard n > 0 else { throw DataError(file: log.source, "no interactions") }
        let (userAlive, itemAlive, userCounts, contiguous) = filter(log)
        // Number items and users: by numeric value if all ids are integers, else first appearance.
        func numbering(_ table: TokenTable, _ alive: [Bool]) -> [Int] {
            let keep = (0..<table.count).filter { alive[$0] }
            return table.allNumeric ? table.numericOrder(keep) : keep
        }
        let itemOrder = numbering(log.items, itemAlive)
        var itemID = [Int32](repeating: 0, count: log.items.count)
        for (k, i) in itemOrder.enumerated() { itemID[i] = Int32(k + 1) }
        let userOrder = numbering(log.users, userAlive)
        var offsets = [Int](repeating: 0, count: userOrder.count + 1)
        var position = [Int](repeating: 0, count: log.users.count)
        for (k, u) in userOrder.enumerated() {
            position[u] = offsets[k]
            offsets[k + 1] = offsets[k] + Int(userCounts[u])
        }
        let total = offsets[userOrder.count]
        guard total > 0 else {
            throw DataError(file: log.source, "no interactions left after filtering (\(self))")
        }
        // Each user's interactions in file order: in place when the file already lists the users in
        // this order and nothing was filtered (no second copy of the data), else scattered.
        let everyoneAlive = userAlive.allSatisfy { $0 } && itemAlive.allSatisfy { $0 }
        var items: [Int32]
        var times: [Double]?
        // (Each user's rows contiguous and the users numbered in file order: row k goes to position k.)
        if everyoneAlive && contiguous && userOrder.elementsEqual(0..<log.users.count) {
            items = log.itemIndex
            log.itemIndex = []
            times = log.timestamps
            log.timestamps = nil
            itemID.withUnsafeBufferPointer { map in
                items.withUnsafeMutableBufferPointer { it in
                    Parallel.for(n, grain: 1 << 18) { range in
                        for k in range { it[k] = map[Int(it[k])] }
                    }
                }
            }
        } else {
            items = [Int32](repeating: 0, count: total)
            times = log.timestamps.map { _ in [Double](repeating: 0, count: total) }
            for k in 0..<n {
                let u = Int(log.userIndex[k]), i = Int(log.itemIndex[k])
                if !everyoneAlive && !(userAlive[u] && itemAlive[i]) { continue }
                let p = position[u]
                items[p] = itemID[i]
                if let ts = log.timestamps { times![p] = ts[k] }
                position[u] = p + 1
            }
        }
        // …then stably by timestamp (equal timestamps keep file order). Taken out of `times` first:
        // a second reference would make the sort copy the whole array.
        if var t = times.take() {
            sortByTime(&items, &t, offsets)
            times = t
        }
        let vocabulary = ItemVocabulary(distinctExternalIDs: log.items.strings(itemOrder))
        return SequenceDataset(name: name, userIDs: log.users.strings(userOrder), offsets: offsets,
                               items: items, timestamps: times, vocabulary: vocabulary,
                               provenance: "source=\(log.source); \(self)")
    }

    /// Interactions per user and per item over every row (in parallel chunks), and whether each
    /// user's rows are contiguous in the file.
    static func countAll(_ log: InteractionLog) -> (users: [Int32], items: [Int32], contiguous: Bool) {
        let n = log.count, grain = 1 << 18
        let chunks = Parallel.chunkCount(n, grain: grain)
        var parts = [(users: [Int32], items: [Int32], runs: Int)](repeating: ([], [], 0), count: chunks)
        log.userIndex.withUnsafeBufferPointer { ui in
            log.itemIndex.withUnsafeBufferPointer { ii in
                parts.withUnsafeMutableBufferPointer { out in
                    Parallel.forChunks(n, grain: grain) { c, range in
                        var uc = [Int32](repeating: 0, count: log.users.count), ic = [Int32](repeating: 0, count: log.items.count)
                        var runs = 0, previous: Int32 = -1
                        for k in range {
                            let u = ui[k]
                            uc[Int(u)] += 1
                            ic[Int(ii[k])] += 1
                            if u != previous { runs += 1; previous = u }
                        }
                        out[c] = (uc, ic, runs)
                    }
                }
            }
        }
        var users = parts[0].users, items = parts[0].items, runs = parts[0].runs
        let per = (n + chunks - 1) / chunks
        for c in 1..<Swift.max(chunks, 1) where c * per < n {
            for u in 0..<users.count { users[u] += parts[c].users[u] }
            for i in 0..<items.count { items[i] += parts[c].items[i] }
            // A run that crosses the chunk boundary was counted twice.
            runs += parts[c].runs - (log.userIndex[c * per - 1] == log.userIndex[c * per] ? 1 : 0)
        }
        return (users, items, runs == log.users.count)
    }

    /// k-core filtering. - Returns: which users and items survive, each user's surviving count,
    /// and whether each user's rows are contiguous in the file.
    private func filter(_ log: InteractionLog) -> (users: [Bool], items: [Bool], userCounts: [Int32], contiguous: Bool) {
        var userAlive = [Bool](repeating: true, count: log.users.count)
        var itemAlive = [Bool](repeating: true, count: log.items.count)
        var (uc, ic, contiguous) = Preprocessing.countAll(log)
        while true {
            var changed = false
            for u in 0..<log.users.count where userAlive[u] && (uc[u] < Swift.max(minUserInteractions, 1)) {
                userAlive[u] = false
                changed = true
            }
            for i in 0..<log.items.count where itemAlive[i] && (ic[i] < Swift.max(minItemInteractions, 1)) {
                itemAlive[i] = false
                changed = true
            }
            // Counts are those of the surviving data once a pass removes nothing.
            if !changed { return (userAlive, itemAlive, uc, contiguous) }
            uc = [Int32](repeating: 0, count: log.users.count)
            ic = [Int32](repeating: 0, count: log.items.count)
            for k in 0..<log.count {
                let u = Int(log.userIndex[k]), i = Int(log.itemIndex[k])
                if userAlive[u] && itemAlive[i] { uc[u] += 1; ic[i] += 1 }
            }
            if !iterative { return (userAlive, itemAlive, uc, contiguous) }
        }
    }

    /// Sorts each user's range by timestamp, ties in their current (file) order; users in parallel.
    private func sortByTime(_ items: inout [Int32], _ times: inout [Double], _ offsets: [Int]) {
        let users = offsets.count - 1
        items.withUnsafeMutableBufferPointer { it in
            times.withUnsafeMutableBufferPointer { ts in
                Parallel.for(users, grain: 4_096) { range in
                                        for u in range {
                        let lo = offsets[u], hi = offsets[u + 1]
                        var sorted = true
                        for k in lo..<Swift.max(lo, hi - 1) where ts[k + 1] < ts[k] { sorted = false; break }
                        if sorted { continue }
                        var order = Array(lo..<hi)
                        order.sort { ts[$0] != ts[$1] ? ts[$0] < ts[$1] : $0 < $1 }
                        let scratchItems = order.map { it[$0] }
                        let scratchTimes = order.map { ts[$0] }
                        for k in 0..<(hi - lo) {
                            it[lo + k] = scratchItems[k]
                            ts[lo + k] = scratchTimes[k]
                        }
                    }
                }
            }
        }
    }
}
