/// The salient characteristics of thesis Table 2.1.
public struct DatasetStatistics: Sendable, Equatable, Codable {
    public var users: Int
    public var items: Int
    public var interactions: Int
    /// Mean sequence length.
    public var meanLength: Double
    /// Median sequence length (NumPy convention: mean of the two middle values when even).
    public var medianLength: Double
    /// Percentage of items with fewer than 5 interactions.
    public var longTailPercent: Double
    /// A caveat when some interactions are known only by count (the gSASRec split).
    public var note: String?

    /// Computes the statistics from per-user lengths and per-item counts.
    public init(lengths: [Int], itemCounts: [Int], note: String? = nil) {
        users = lengths.count
        items = itemCounts.count
        interactions = lengths.reduce(0, +)
        meanLength = users == 0 ? 0 : Double(interactions) / Double(users)
        let sorted = lengths.sorted()
        if sorted.isEmpty {
            medianLength = 0
        } else if sorted.count % 2 == 1 {
            medianLength = Double(sorted[sorted.count / 2])
        } else {
            medianLength = Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let tail = itemCounts.filter { $0 < 5 }.count
        longTailPercent = items == 0 ? 0 : 100 * Double(tail) / Double(items)
        self.note = note
    }

    /// A Table 2.1 row: `name | users | items | interactions | mean | median | long tail %`.
    public func tableRow(name: String) -> String {
        func grouped(_ v: Int) -> String {
            let s = String(v)
            var out = ""
            for (i, c) in s.enumerated() {
                if i > 0 && (s.count - i) % 3 == 0 { out += "," }
                out.append(c)
            }
            return out
        }
        let median = medianLength == medianLength.rounded() ? String(Int(medianLength)) : String(medianLength)
        return "| \(name) | \(grouped(users)) | \(grouped(items)) | \(grouped(interactions)) | "
            + "\(String(format2(meanLength))) | \(median) | \(format2(longTailPercent))% |"
    }

    private func format2(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        var s = String(r)
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < 2 { s += String(repeating: "0", count: 2 - decimals) }
        } else {
            s += ".00"
        }
        return s
    }
}

extension SequenceDataset {
    /// Table 2.1 statistics of this dataset.
    public var statistics: DatasetStatistics {
        DatasetStatistics(lengths: (0..<userCount).map(length),
                          itemCounts: Array(itemCounts()[1...vocabulary.itemCount]))
    }
}
