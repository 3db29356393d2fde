import SeqRecCore

/// A dense, row-major Float32 tensor with value semantics (copy-on-write storage).
///
/// Inside a `valueAndGradient` scope every op on a tracked tensor records a node on the tape;
/// outside one, ops record nothing and pay no differentiation cost.
public struct Tensor: @unchecked Sendable {
    /// The dimensions.
    public internal(set) var shape: Shape
    @usableFromInline var storage: TensorStorage
    /// The tape this tensor was recorded on (0 = untracked) and its node index there.
    @usableFromInline var tapeID: UInt64 = 0
    @usableFromInline var node: Int = -1

    @usableFromInline
    init(shape: Shape, storage: TensorStorage) {
        require(storage.count >= shape.count, "Tensor: storage smaller than shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    // MARK: - Construction

    /// A tensor with the given shape and row-major values.
    /// - Precondition: `scalars.count == shape.count`.
    public init(shape: Shape, scalars: [Float]) {
        require(scalars.count == shape.count,
                     "Tensor(shape:scalars:): \(scalars.count) values for shape \(shape)")
        let s = TensorStorage.uninitialized(shape.count)
        scalars.withUnsafeBufferPointer { s.pointer.update(from: $0.baseAddress!, count: $0.count) }
        self.init(shape: shape, storage: s)
    }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Float) { self.init(shape: Shape([]), scalars: [value]) }

    /// A rank-1 tensor of `scalars`.
    public init(_ scalars: [Float]) { self.init(shape: Shape([scalars.count]), scalars: scalars) }

    /// A tensor filled with `value`.
    public init(repeating value: Float, shape: Shape) {
        let s = TensorStorage.uninitialized(shape.count)
        s.pointer.initialize(repeating: value, count: shape.count)
        self.init(shape: shape, storage: s)
    }

    /// Zeros of the given shape.
    public static func zeros(_ shape: Shape) -> Tensor {
        Tensor(shape: shape, storage: .zeros(shape.count))
    }

    /// Ones of the given shape.
    public static func ones(_ shape: Shape) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// An uninitialised tensor for ops to fill.
    @usableFromInline
    static func empty(_ shape: Shape) -> Tensor {
        Tensor(shape: shape, storage: .uninitialized(shape.count))
    }

    /// Samples from N(mean, std²) drawn from `rng` in row-major order.
    public static func randomNormal(_ shape: Shape, mean: Float = 0, std: Float = 1,
                                    rng: inout SplitMix64) -> Tensor {
        let t = Tensor.empty(shape)
        for i in 0..<shape.count { t.storage.pointer[i] = mean + std * rng.nextNormal() }
        return t
    }

    /// Samples from U[low, high) drawn from `rng` in row-major order.
    public static func randomUniform(_ shape: Shape, low: Float, high: Float,
                                     rng: inout SplitMix64) -> Tensor {
        let t = Tensor.empty(shape)
        for i in 0..<shape.count { t.storage.pointer[i] = low + (high - low) * rng.nextUniform() }
        return t
    }

    // MARK: - Access

    /// The number of elements.
    @inlinable public var count: Int { shape.count }

    /// The rank.
    @inlinable public var rank: Int { shape.rank }

    /// The values in row-major order (copies).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        require(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements")
        return storage.pointer[0]
    }

    /// Element at a full index (slow; for tests and small tensors).
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set {
            makeUnique()
            storage.pointer[flatIndex(index)] = newValue
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        require(index.count == rank, "Tensor subscript: \(index.count) indices for rank \(rank)")
        var f = 0
        for (i, v) in index.enumerated() {
            require(v >= 0 && v < shape[i], "Tensor subscript: index \(index) out of \(shape)")
            f = f * shape[i] + v
        }
        return f
    }

    /// Read-only access to the contiguous values.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Mutable access to the contiguous values (copies first if the storage is shared).
    /// Mutating a tracked tensor detaches it from the tape.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        tapeID = 0
        node = -1
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// True when this tensor is recorded on the active tape (gradients can flow to it).
    public var isTracked: Bool { tapeID != 0 && tapeID == Tape.current?.id }

    /// The same values, cut loose from any tape (a stop-gradient).
    public var detached: Tensor { Tensor(shape: shape, storage: storage) }

    /// True if every element is finite (no NaN or ±Inf).
    public var isFinite: Bool {
        withUnsafeBufferPointer { b in
            for v in b where !v.isFinite { return false }
            return true
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor\(shape)(\(shown)\(count > 8 ? ", …" : ""))"
    }
}

/// Integer item ids (or other indices), kept apart from float tensors so ids never pass
/// through float arithmetic. Row-major, with a shape like `Tensor`.
public struct IDTensor: Sendable, Equatable {
    /// The dimensions.
    public let shape: Shape
    /// The ids in row-major order.
    public var ids: [Int32]

    /// Ids with the given shape.
    /// - Precondition: `ids.count == shape.count`.
    public init(shape: Shape, ids: [Int32]) {
        require(ids.count == shape.count, "IDTensor: \(ids.count) ids for shape \(shape)")
        self.shape = shape
        self.ids = ids
    }

    /// Ids from `Int`s.
    public init(shape: Shape, _ values: [Int]) {
        self.init(shape: shape, ids: values.map { Int32($0) })
    }

    /// The number of ids.
    public var count: Int { ids.count }
}
