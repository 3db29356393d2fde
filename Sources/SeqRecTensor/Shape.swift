import SeqRecCore
/// The dimensions of a tensor, row-major, stored inline (no heap allocation per op).
///
/// Up to `Shape.maxRank` (6) dimensions. Rank 0 is a scalar. Printing gives `[2, 3, 4]`.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByArrayLiteral
{
    /// The largest rank a tensor may have.
    public static let maxRank = 6

    @usableFromInline var dims: InlineArray<6, Int>
    /// The number of dimensions.
    public let rank: Int

    /// Creates a shape from its dimensions.
    /// - Precondition: at most `maxRank` dimensions, none negative.
    public init(_ dimensions: [Int]) {
        require(dimensions.count <= Shape.maxRank,
                     "Shape: rank \(dimensions.count) exceeds the maximum \(Shape.maxRank)")
        dims = .init(repeating: 1)
        for (i, d) in dimensions.enumerated() {
            require(d >= 0, "Shape: negative dimension \(d) in \(dimensions)")
            dims[i] = d
        }
        rank = dimensions.count
    }

    public init(arrayLiteral elements: Int...) { self.init(elements) }

    @usableFromInline init(rank: Int) {
        dims = .init(repeating: 1)
        self.rank = rank
    }

    /// Dimension `i`; negative `i` counts from the end (`-1` is the last).
    @inlinable
    public subscript(_ i: Int) -> Int {
        get {
            let j = i < 0 ? rank + i : i
            require(j >= 0 && j < rank, "Shape: axis \(i) out of range for rank \(rank)")
            return dims[j]
        }
        set {
            let j = i < 0 ? rank + i : i
            require(j >= 0 && j < rank, "Shape: axis \(i) out of range for rank \(rank)")
            dims[j] = newValue
        }
    }

    /// The number of elements (1 for a scalar).
    @inlinable
    public var count: Int {
        var c = 1
        for i in 0..<rank { c &*= dims[i] }
        return c
    }

    /// The dimensions as an array (allocates; for messages and tests).
    public var array: [Int] { (0..<rank).map { dims[$0] } }

    /// The last dimension (1 for a scalar).
    @inlinable public var last: Int { rank == 0 ? 1 : dims[rank - 1] }

    /// The product of all dimensions but the last (the number of rows).
    @inlinable public var rows: Int { rank == 0 ? 1 : (last == 0 ? 0 : count / last) }

    /// Resolves a possibly negative axis to `0..<rank`.
    @inlinable
    public func axis(_ a: Int, op: String = "axis") -> Int {
        let j = a < 0 ? rank + a : a
        require(j >= 0 && j < rank, "\(op): axis \(a) out of range for shape \(self)")
        return j
    }

    /// The product of dimensions in `range`.
    @inlinable
    public func product(_ range: Range<Int>) -> Int {
        var c = 1
        for i in range { c &*= dims[i] }
        return c
    }

    /// This shape with dimension `axis` removed.
    public func removing(axis: Int) -> Shape {
        var s = Shape(rank: rank - 1)
        var k = 0
        for i in 0..<rank where i != axis {
            s.dims[k] = dims[i]
            k += 1
        }
        return s
    }

    /// This shape with dimension `axis` replaced by `value`.
    public func replacing(axis: Int, with value: Int) -> Shape {
        var s = self
        s.dims[axis] = value
        return s
    }

    /// This shape with the last dimension replaced.
    public func replacingLast(with value: Int) -> Shape { replacing(axis: rank - 1, with: value) }

    /// This shape followed by `value` as a new last dimension.
    public func appending(_ value: Int) -> Shape {
        require(rank < Shape.maxRank, "Shape: cannot append to rank \(rank)")
        var s = Shape(rank: rank + 1)
        for i in 0..<rank { s.dims[i] = dims[i] }
        s.dims[rank] = value
        return s
    }

    /// The leading `n` dimensions.
    public func prefix(_ n: Int) -> Shape {
        var s = Shape(rank: n)
        for i in 0..<n { s.dims[i] = dims[i] }
        return s
    }

    /// Row-major strides in elements.
    public var strides: InlineArray<6, Int> {
        var st = InlineArray<6, Int>(repeating: 0)
        var acc = 1
        var i = rank - 1
        while i >= 0 {
            st[i] = acc
            acc &*= dims[i]
            i -= 1
        }
        return st
    }

    public var description: String { "[" + array.map(String.init).joined(separator: ", ") + "]" }

    public static func == (a: Shape, b: Shape) -> Bool {
        guard a.rank == b.rank else { return false }
        for i in 0..<a.rank where a.dims[i] != b.dims[i] { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for i in 0..<rank { hasher.combine(dims[i]) }
    }

    /// The NumPy broadcast of two shapes, or nil if they are incompatible.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        let r = Swift.max(a.rank, b.rank)
        var s = Shape(rank: r)
        for i in 0..<r {
            let da = i < r - a.rank ? 1 : a.dims[i - (r - a.rank)]
            let db = i < r - b.rank ? 1 : b.dims[i - (r - b.rank)]
            if da == db || db == 1 {
                s.dims[i] = da
            } else if da == 1 {
                s.dims[i] = db
            } else {
                return nil
            }
        }
        return s
    }
}
