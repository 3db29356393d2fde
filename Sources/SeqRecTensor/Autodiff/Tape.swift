import SeqRecCore
import Synchronization

/// A Wengert list of the ops run inside one `valueAndGradient` scope.
///
/// Nodes are appended in execution order, so walking them backwards is already a topological
/// order. One tape per step; it is discarded when the scope ends (no retained graphs).
/// Tensors refer to their node by (tape id, index), never by reference, so there are no cycles.
public final class Tape {
    /// The signature of a pullback: receives the gradient of the node's output and hands
    /// gradients for its inputs to the context.
    public typealias Pullback = (_ gradient: Tensor, _ context: inout PullbackContext) -> Void

    @usableFromInline
    struct Node {
        var inputs: (Int, Int, Int)
        var more: [Int]?
        var shape: Shape
        var pullback: Pullback?
        var parameter: Parameter?

        @usableFromInline
        init(inputs: (Int, Int, Int), more: [Int]?, shape: Shape, pullback: Pullback?, parameter: Parameter?) {
            self.inputs = inputs
            self.more = more
            self.shape = shape
            self.pullback = pullback
            self.parameter = parameter
        }
    }

    private static let counter = Atomic<UInt64>(1)

    /// The tape recording in the current task, if any.
    @TaskLocal public static var current: Tape?

    /// A unique, never-reused identity.
    public let id: UInt64
    @usableFromInline var nodes: [Node] = []
    @usableFromInline var grads: [Tensor?] = []

    init() {
        id = Tape.counter.add(1, ordering: .relaxed).newValue
        nodes.reserveCapacity(512)
    }

    /// The active tape if any of the inputs is recorded on it (nil: do not record).
    @inlinable
    public static func active(_ a: Tensor, _ b: Tensor? = nil, _ c: Tensor? = nil) -> Tape? {
        guard let tape = current else { return nil }
        if a.tapeID == tape.id || b?.tapeID == tape.id || c?.tapeID == tape.id { return tape }
        return nil
    }

    /// Records `output` as produced from up to three inputs, with its pullback.
    /// Inputs not on this tape are recorded as absent (their gradient is never asked for).
    @inlinable
    public func record(_ output: inout Tensor, _ a: Tensor, _ b: Tensor? = nil,
                       _ c: Tensor? = nil, pullback: @escaping Pullback) {
        func slot(_ t: Tensor?) -> Int { t.map { $0.tapeID == id ? $0.node : -1 } ?? -1 }
        output.tapeID = id
        output.node = nodes.count
        nodes.append(Node(inputs: (slot(a), slot(b), slot(c)), more: nil, shape: output.shape,
                          pullback: pullback, parameter: nil))
    }

    /// Records `output` as produced from any number of inputs (slot i = `inputs[i]`).
    public func record(_ output: inout Tensor, inputs: [Tensor], pullback: @escaping Pullback) {
        let slots = inputs.map { $0.tapeID == id ? $0.node : -1 }
        output.tapeID = id
        output.node = nodes.count
        nodes.append(Node(inputs: (-1, -1, -1), more: slots, shape: output.shape,
                          pullback: pullback, parameter: nil))
    }

    /// The active tape if any of `inputs` is recorded on it.
    public static func active(_ inputs: [Tensor]) -> Tape? {
        guard let tape = current else { return nil }
        return inputs.contains { $0.tapeID == tape.id } ? tape : nil
    }

    /// A leaf node for a parameter: its gradient is accumulated into `parameter.grad`.
    func leaf(for parameter: Parameter) -> Tensor {
        if parameter.leafTape == id { return parameter.leafTensor! }
        var t = parameter.value
        t.tapeID = id
        t.node = nodes.count
        nodes.append(Node(inputs: (-1, -1, -1), more: nil, shape: t.shape, pullback: nil,
                          parameter: parameter))
        parameter.leafTape = id
        parameter.leafTensor = t
        return t
    }

    /// Runs the pullbacks from `loss` back to the leaves.
    func backward(from loss: Tensor, seed: Float) {
        guard loss.tapeID == id else { return }
        grads = Array(repeating: nil, count: nodes.count)
        grads[loss.node] = Tensor(repeating: seed, shape: loss.shape)
        var i = loss.node
        while i >= 0 {
            defer { i -= 1 }
            guard let g = grads[i] else { continue }
            grads[i] = nil
            guard let pullback = nodes[i].pullback else { continue }
            var context = PullbackContext(tape: self, inputs: nodes[i].inputs, more: nodes[i].more)
            pullback(g, &context)
        }
        grads = []
    }

    @usableFromInline
    func accumulate(_ gradient: Tensor, into node: Int) {
        let target = nodes[node].shape
        let g = gradient.shape == target ? gradient.detached : gradient.reduced(toShape: target)
        if let p = nodes[node].parameter {
            p.accumulateGradient(g)
        } else if grads[node] == nil {
            grads[node] = g
        } else {
            grads[node]!.addInPlace(g)
        }
    }

    @usableFromInline
    func withGradient(of node: Int, _ body: (inout Tensor) -> Void) {
        if let p = nodes[node].parameter {
            p.withGradient(body)
            return
        }
        if grads[node] == nil { grads[node] = Tensor.zeros(nodes[node].shape) }
        body(&grads[node]!)
    }
}

/// What a pullback uses to hand gradients to the inputs of its op.
public struct PullbackContext {
    @usableFromInline unowned let tape: Tape
    @usableFromInline let inputs: (Int, Int, Int)
    @usableFromInline let more: [Int]?

    @usableFromInline
    init(tape: Tape, inputs: (Int, Int, Int), more: [Int]?) {
        self.tape = tape
        self.inputs = inputs
        self.more = more
    }

    @usableFromInline
    func node(_ slot: Int) -> Int {
        if let more { return more[slot] }
        switch slot {
        case 0: return inputs.0
        case 1: return inputs.1
        default: return inputs.2
        }
    }

    /// Whether input `slot` (0, 1, 2 in the order given to `record`) needs a gradient.
    @inlinable
    public func needs(_ slot: Int) -> Bool { node(slot) >= 0 }

    /// Adds `gradient` to input `slot`'s gradient. A gradient of a broadcast shape is summed
    /// back to the input's shape here, in this one place, so ops never un-broadcast by hand.
    @inlinable
    public func add(_ gradient: Tensor, to slot: Int) {
        let n = node(slot)
        if n >= 0 { tape.accumulate(gradient, into: n) }
    }

    /// Gives in-place access to input `slot`'s gradient buffer (zero-initialised on first use;
    /// for a parameter, its `grad` itself). Used by scatter-style pullbacks that touch only a
    /// few rows of a large gradient.
    @inlinable
    public func withGradient(of slot: Int, _ body: (inout Tensor) -> Void) {
        let n = node(slot)
        if n >= 0 { tape.withGradient(of: n, body) }
    }
}

/// Runs `body` with a fresh tape recording, then back-propagates from the scalar it returns,
/// adding gradients in place into every `Parameter` the body used (via `parameter.tracked`).
///
/// - Returns: the value of the loss.
/// - Precondition: `body` returns a one-element tensor.
@discardableResult
public func valueAndGradient(_ body: () throws -> Tensor) rethrows -> Float {
    let tape = Tape()
    let loss = try Tape.$current.withValue(tape) { try body() }
    require(loss.count == 1, "valueAndGradient: loss must have one element, got \(loss.shape)")
    Tape.$current.withValue(nil) { tape.backward(from: loss, seed: 1) }
    return loss.scalar
}
