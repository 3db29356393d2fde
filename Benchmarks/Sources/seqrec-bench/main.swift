import Foundation
import SeqRecCore
import SeqRecNN
import BenchSupport
import SeqRecTensor

// Engine benchmark for issue 2: sgemm ceiling, SASRec-block training step, gather/scatter.
// Usage: seqrec-bench [--quick] [--only sgemm,block,gather,bandwidth,draws]

let args = CommandLine.arguments
let quick = args.contains("--quick")
let only: Set<String> = {
    if let i = args.firstIndex(of: "--only"), i + 1 < args.count { return Set(args[i + 1].split(separator: ",").map(String.init)) }
    return ["sgemm", "block", "gather", "bandwidth", "draws"]
}()
let runs = quick ? 3 : 7

print("SeqRec engine benchmark — \(BLAS.buildDescription)")
print("threads (ThreadBudget): \(ThreadBudget.threads), OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"), runs per figure: \(runs) (median)")
print("")

// MARK: - Memory bandwidth (the ceiling for gather/scatter)

func bandwidth() {
    print("memory read bandwidth (1 GiB, \(ThreadBudget.threads) threads): \(fmt(memoryReadBandwidth(runs: runs))) GB/s")
}

// MARK: - sgemm ceiling through the engine's BLAS layer

func sgemm(_ m: Int, _ n: Int, _ k: Int) -> Double {
    let a = Tensor(repeating: 0.5, shape: [m, k]), b = Tensor(repeating: 0.25, shape: [k, n])
    let c = Tensor.zeros([m, n])
    let t = measure(runs: runs) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeBufferPointer { cp in
                    BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: ap.baseAddress!, lda: k,
                               b: bp.baseAddress!, ldb: n, c: UnsafeMutablePointer(mutating: cp.baseAddress!), ldc: n)
                }
            }
        }
    }
    let gf = 2.0 * Double(m) * Double(n) * Double(k) / median(t) / 1e9
    print("sgemm \(m)×\(k)·\(k)×\(n): \(fmt(median(t) * 1e3, 2)) ms, \(fmt(gf)) GF/s")
    return gf
}

/// The malloc count when the counter library is preloaded (scripts/bench does this), else nil.
func mallocCount() -> Int? {
    guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "seqrec_malloc_count") else { return nil }
    typealias Fn = @convention(c) () -> Int
    return unsafeBitCast(sym, to: Fn.self)()
}

// MARK: - SASRec block forward + backward

func block(dim d: Int, batch b: Int = 128, length l: Int = 200, ceiling: Double?, shapeCeiling: Double?) {
    var rng = SplitMix64(seed: 1)
    let blk = try! TransformerBlock(order: .sasrec, dim: d, heads: 1, hidden: d, activation: .relu, dropout: 0.5, rng: &rng)
    let x = Parameter("x", .randomNormal([b, l, d], std: 0.5, rng: &rng))
    // Left padding like real data: each row has a random number of padded positions.
    var tokens = [Float](repeating: 1, count: b * l)
    for r in 0..<b { let pad = rng.nextInt(below: l / 2); for j in 0..<pad { tokens[r * l + j] = 0 } }
    let tokenTensor = Tensor(shape: [b, l], scalars: tokens)
    let mask = AttentionMask.causal(keyPadding: tokenTensor)
    let tokenMask = tokenTensor.reshaped([b, l, 1])
    let pool = BufferPool()
    let params = blk.parameters + [x]
    var seed: UInt64 = 0
    func step() {
        for p in params { p.zeroGradient() }
        seed += 1
        var ctx = ForwardContext(training: true, seed: seed)
        pool.withPool { _ = valueAndGradient { blk(x.tracked, mask: mask, tokenMask: tokenMask, &ctx).sum() } }
    }
    func forwardOnly() {
        var ctx = ForwardContext(training: true, seed: 1)
        pool.withPool { _ = blk(x.value, mask: mask, tokenMask: tokenMask, &ctx) }
    }
    step(); step()
    pool.resetCounters()
    let mallocsBefore = mallocCount()
    let t = measure(warmup: 0, runs: runs) { step() }
    let mallocsPerStep = mallocCount().map { Double($0 - mallocsBefore!) / Double(runs) }
    let fresh = pool.freshAllocations, reused = pool.reuses
    let tf = measure(warmup: 1, runs: runs) { forwardOnly() }
    let n = Double(b * l)
    let fwdFlops = 5 * 2 * n * Double(d * d) + 2 * 2 * Double(b) * Double(l * l) * Double(d)
    let total = 3 * fwdFlops
    let gf = total / median(t) / 1e9
    var share = ceiling.map { " = \(fmt(100 * gf / $0))% of the sgemm ceiling" } ?? ""
    if let s = shapeCeiling { share += " (\(fmt(100 * gf / s))% of the \(b * l)×\(d)·\(d)×\(d) projection GEMM)" }
    print("SASRec block fwd+bwd B=\(b) L=\(l) d=\(d): \(fmt(median(t) * 1e3)) ms (p-min \(fmt(t.first! * 1e3)), max \(fmt(t.last! * 1e3))), "
          + "\(fmt(gf)) GF/s\(share); forward alone \(fmt(median(tf) * 1e3)) ms")
    print("    tensor buffers over \(runs) steady-state steps: \(fresh) fresh allocations, \(reused) reuses "
          + "(\(fmt(Double(reused) / Double(runs), 0)) per step); pool idle \(fmt(Double(pool.idleFloats) * 4 / 1e6)) MB; "
          + "peak RSS \(fmt(Double(MemoryUsage.peakResidentBytes()) / 1e9, 2)) GB")
    if let m = mallocsPerStep {
        print("    heap allocations (malloc family, counted by LD_PRELOAD): \(fmt(m, 0)) per step, all small objects "
              + "(tape nodes, pullback closures, shape arrays)")
    }
}

// MARK: - Embedding gather + scatter-add (gSASRec negatives: 25600 positions × 257 rows × 128)

func gather() {
    let rows = quick ? 25_600 * 32 : 25_600 * 257, dim = 128, items = 3_418
    var rng = SplitMix64(seed: 2)
    var table = Tensor.randomNormal([items, dim], rng: &rng)
    let ids = IDTensor(shape: [rows], ids: (0..<rows).map { _ in Int32(rng.nextInt(below: items)) })
    let pool = BufferPool()
    let bytes = Double(rows * dim * 4)
    let tg = measure(runs: runs) { pool.withPool { _ = table.gatherRows(ids) } }
    print("gatherRows \(rows) rows × \(dim) from a \(items)-row table: \(fmt(median(tg) * 1e3)) ms, "
          + "\(fmt(bytes / median(tg) / 1e9)) GB/s of rows written")
    let grad = pool.withPool { table.gatherRows(ids) }
    let ts = measure(runs: runs) { table.scatterAddRows(grad, ids: ids) }
    print("scatterAddRows (gatherRows pullback), same size: \(fmt(median(ts) * 1e3)) ms, "
          + "\(fmt(bytes / median(ts) / 1e9)) GB/s of row gradients read")
    // The fused alternative for sampled logits: no R·k·d tensor in either direction.
    let positions = rows / 257
    let hidden = Parameter("hidden", .randomNormal([positions, dim], rng: &rng))
    let tableP = Parameter("table", table)
    let negIDs = IDTensor(shape: [positions, 257], ids: Array(ids.ids.prefix(positions * 257)))
    let tf = measure(runs: runs) {
        hidden.zeroGradient(); tableP.zeroGradient()
        pool.withPool { _ = valueAndGradient { Tensor.sampledDot(hidden.tracked, tableP.tracked, negIDs).sum() } }
    }
    print("sampledDot \(positions) positions × 257 sampled items × \(dim) (gSASRec logits), forward + backward: "
          + "\(fmt(median(tf) * 1e3)) ms")
}

// MARK: - Uniform integer draws (the gSASRec port's negatives: k 256 for each of 128 × 200 positions)

func draws() {
    let n = 128 * 200 * 256, bound = 3_416
    var out = [Int32](repeating: 0, count: n)
    var a = SplitMix64(seed: 1), b = a
    let one = measure(runs: runs) {
        out.withUnsafeMutableBufferPointer { o in for j in 0..<n { o[j] = Int32(1 + a.nextInt(below: bound)) } }
    }
    let bulk = measure(runs: runs) { out.withUnsafeMutableBufferPointer { b.fillInts($0, below: bound, plus: 1) } }
    print("uniform draws below \(bound), \(n) per call (gSASRec negatives of one step): one at a time "
          + "\(fmt(median(one) * 1e3, 2)) ms, fillInts \(fmt(median(bulk) * 1e3, 2)) ms (\(fmt(median(one) / median(bulk), 2))×)")
}

if only.contains("bandwidth") { bandwidth() }
if only.contains("draws") { draws() }
var ceiling: Double? = nil
var proj128: Double? = nil, proj64: Double? = nil
if only.contains("sgemm") {
    let big = sgemm(2048, 2048, 2048)
    proj128 = sgemm(25_600, 128, 128)
    proj64 = sgemm(25_600, 64, 64)
    ceiling = Swift.max(big, proj128!)
    print("    ceiling used below: the larger of the 2048³ and 25600×128·128×128 figures")
}
if only.contains("block") {
    block(dim: 128, ceiling: ceiling, shapeCeiling: proj128)
    block(dim: 64, ceiling: ceiling, shapeCeiling: proj64)
}
if only.contains("gather") { gather() }
