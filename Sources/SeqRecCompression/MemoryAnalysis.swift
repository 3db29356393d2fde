/// Thesis Table 6.2, reproduced analytically: memory of the item-embedding tensor (N × 512
/// float32, the "base") against the centroids of PQ with code length m (m·256 centroids,
/// counted as full 512-dimensional vectors exactly as the table does), in percent of the base.
/// `recjpqBytes` adds what RecJPQ actually stores: m·256 sub-embeddings of d/m floats plus
/// N·m one-byte codes.
public enum MemoryAnalysis {
    public struct Row: Sendable, Equatable {
        public let dataset: String
        public let items: Int
        public let baseBytes: Int
        /// Per code length: (m, centroid bytes as in the table, percent of base, RecJPQ's real bytes).
        public let columns: [(m: Int, centroidBytes: Int, percent: Double, recjpqBytes: Int)]

        public static func == (a: Row, b: Row) -> Bool {
            a.dataset == b.dataset && a.items == b.items && a.baseBytes == b.baseBytes
                && a.columns.map(\.centroidBytes) == b.columns.map(\.centroidBytes)
        }
    }

    public static func row(dataset: String, items: Int, dim: Int = 512, codeLengths: [Int] = [2, 8, 32]) -> Row {
        let base = items * dim * 4
        return Row(dataset: dataset, items: items, baseBytes: base, columns: codeLengths.map { m in
            let centroids = m * 256 * dim * 4
            return (m, centroids, 100 * Double(centroids) / Double(base), m * 256 * (dim / m) * 4 + items * m)
        })
    }

    /// The three datasets of Table 6.2.
    public static let table62: [Row] = [
        row(dataset: "MovieLens-1M", items: 3_416), row(dataset: "Booking.com", items: 34_742),
        row(dataset: "Gowalla", items: 1_280_969),
    ]
}
