import SeqRecCore
/// A sparse matrix in compressed sparse row form (e.g. the user × item interaction matrix).
///
/// Memory is proportional to the non-zeros; nothing here ever densifies it.
public struct CSRMatrix: Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row r's entries are `rowStarts[r]..<rowStarts[r + 1]` (count rows + 1).
    public let rowStarts: [Int]
    /// Column of each non-zero.
    public let columnIndices: [Int32]
    /// Value of each non-zero.
    public let values: [Float]

    /// The number of stored non-zeros.
    public var nonZeros: Int { values.count }

    /// Builds a matrix from (row, column, value) triplets; duplicates are summed.
    /// - Precondition: indices in range.
    public init(rows: Int, columns: Int, triplets: [(row: Int, column: Int, value: Float)]) {
        require(rows >= 0 && columns >= 0, "CSRMatrix: negative size \(rows)×\(columns)")
        var counts = [Int](repeating: 0, count: rows + 1)
        for t in triplets {
            require(t.row >= 0 && t.row < rows && t.column >= 0 && t.column < columns,
                         "CSRMatrix: entry (\(t.row), \(t.column)) outside \(rows)×\(columns)")
            counts[t.row + 1] += 1
        }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var cols = [Int32](repeating: 0, count: triplets.count)
        var vals = [Float](repeating: 0, count: triplets.count)
        var next = counts
        for t in triplets {
            cols[next[t.row]] = Int32(t.column)
            vals[next[t.row]] = t.value
            next[t.row] += 1
        }
        // Sort each row by column and merge duplicates.
        var starts = [0]
        var outCols: [Int32] = []
        var outVals: [Float] = []
        outCols.reserveCapacity(cols.count)
        outVals.reserveCapacity(vals.count)
        for r in 0..<rows {
            let range = counts[r]..<counts[r + 1]
            let order = range.sorted { cols[$0] < cols[$1] }
            for i in order {
                if outCols.count > starts[r], outCols.last == cols[i] {
                    outVals[outVals.count - 1] += vals[i]
                } else {
                    outCols.append(cols[i])
                    outVals.append(vals[i])
                }
            }
            starts.append(outCols.count)
        }
        self.init(rows: rows, columns: columns, rowStarts: starts, columnIndices: outCols, values: outVals)
    }

    /// Wraps ready CSR arrays (rows sorted or not; no duplicate check).
    public init(rows: Int, columns: Int, rowStarts: [Int], columnIndices: [Int32], values: [Float]) {
        require(rowStarts.count == rows + 1 && columnIndices.count == values.count
                     && rowStarts.last == values.count, "CSRMatrix: inconsistent CSR arrays")
        self.rows = rows
        self.columns = columns
        self.rowStarts = rowStarts
        self.columnIndices = columnIndices
        self.values = values
    }

    /// The transpose, also in CSR form (i.e. this matrix in CSC form).
    public func transposed() -> CSRMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { counts[Int(c) + 1] += 1 }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        var next = counts
        var cols = [Int32](repeating: 0, count: nonZeros)
        var vals = [Float](repeating: 0, count: nonZeros)
        for r in 0..<rows {
            for i in rowStarts[r]..<rowStarts[r + 1] {
                let c = Int(columnIndices[i])
                cols[next[c]] = Int32(r)
                vals[next[c]] = values[i]
                next[c] += 1
            }
        }
        return CSRMatrix(rows: columns, columns: rows, rowStarts: counts, columnIndices: cols, values: vals)
    }

    /// This matrix times a dense row-major `[columns, k]` tensor: a `[rows, k]` tensor.
    public func multiply(_ dense: Tensor) -> Tensor {
        require(dense.rank == 2 && dense.shape[0] == columns,
                     "CSRMatrix.multiply: \(rows)×\(columns) · \(dense.shape)")
        let k = dense.shape[1]
        let out = Tensor.zeros(Shape([rows, k]))
        let x = dense.ptr, o = out.ptr
        rowStarts.withUnsafeBufferPointer { rs in
            columnIndices.withUnsafeBufferPointer { ci in
                values.withUnsafeBufferPointer { vs in
                    Parallel.for(rows, grain: Swift.max(1, 4096 / Swift.max(k, 1))) { range in
                        for r in range {
                            let dst = o + r * k
                            for i in rs[r]..<rs[r + 1] {
                                let v = vs[i], src = x + Int(ci[i]) * k
                                for j in 0..<k { dst[j] += v * src[j] }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
