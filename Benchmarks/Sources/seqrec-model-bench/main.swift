import BenchSupport
import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

// Issue 4 benchmark: SASRec / gSASRec training steps and evaluation against the PyTorch port's
// figures measured on this machine class (../shared/docs/baselines.md).
// Usage: seqrec-model-bench [--data ../shared/datasets/ml1m-gsasrec] [--runs 5] [--only gsasrec,small,softmax,eval,shared]
// Without ML-1M it uses a synthetic catalogue of the same shape (6,040 users, 3,416 items).

let args = CommandLine.arguments
func option(_ name: String) -> String? {
    args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
}
let runs = Int(option("--runs") ?? "5") ?? 5
let only = Set((option("--only") ?? "gsasrec,small,softmax,eval,shared").split(separator: ",").map(String.init))
let dataPath = option("--data") ?? "../shared/datasets/ml1m-gsasrec"

let split: DatasetSplit
if FileManager.default.fileExists(atPath: dataPath + "/train/input.txt") {
    split = try GSASRecPortSplit(directory: dataPath).load()
    print("data: \(dataPath) (\(split.dataset.userCount) users, \(split.dataset.vocabulary.itemCount) items)")
} else {
    let d = try SyntheticDataset(users: 6_040, items: 3_416, meanLength: 165, minLength: 20).generate()
    split = try LeaveOneOut(validationUsers: 512).split(d)
    print("data: synthetic stand-in for ML-1M (\(d.userCount) users, \(d.vocabulary.itemCount) items); \(dataPath) not found")
}
let itemCount = split.dataset.vocabulary.itemCount
print("SeqRec model benchmark — \(BLAS.buildDescription); threads \(ThreadBudget.threads); "
      + "OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"); median of \(runs) after 2 warm-up")

// The sgemm ceiling of this run, through the engine's BLAS layer.
func sgemmCeiling() -> Double {
    let n = 2048
    let a = Tensor(repeating: 0.5, shape: [n, n]), b = Tensor(repeating: 0.25, shape: [n, n])
    let t = measure(runs: 5) { _ = Tensor.matmul(a, b) }
    return 2 * Double(n * n * n) / median(t) / 1e9
}
let ceiling = sgemmCeiling()
print("sgemm 2048³ ceiling: \(fmt(ceiling)) GF/s\n")

/// Matrix-product FLOPs of one training step (forward + backward ≈ 3 × forward): the blocks
/// over every position of the B × L window, the output layer over the `real` (labelled)
/// positions only — the work actually done, so the rate is not inflated by skipped padding.
func stepFlops(_ c: SASRec.Config, batch: Int, real: Double, scored: Int) -> Double {
    let n = Double(batch * c.maxLength), d = Double(c.dim), l = Double(c.maxLength)
    let perBlock = 5 * 2 * n * d * d + 2 * 2 * Double(batch) * l * l * d
    let output = 2 * real * Double(scored) * d
    return 3 * (Double(c.blocks) * perBlock + output)
}

struct Case {
    let name: String
    let model: SASRec.Config
    let loss: any Loss
    let shared: Bool
    let pytorch: Double?
    let target: Double?
}

func trainStep(_ c: Case) {
    let model = try! SASRec(vocabularySize: split.dataset.vocabulary.size, config: c.model)
    let adam = try! Adam()
    let pool = BufferPool()
    var rng = SplitMix64(seed: 7)
    let users = (0..<split.dataset.userCount).filter { split.trainLengths[$0] >= 2 }
    let k: Int
    switch c.loss.requirement {
    case .sampledNegatives(let n): k = n
    case .fullCatalogue: k = 1
    }
    var realPositions = 0, batches = 0
    func step() {
        let batchUsers = (0..<128).map { _ in users[rng.nextInt(below: users.count)] }
        let batch = ShiftedSequenceBatch.make(split, users: batchUsers, length: c.model.maxLength, negatives: k,
                                              shared: c.shared, rng: &rng)
        realPositions += batch.labels.ids.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
        batches += 1
        model.zeroGradients()
        var context = ForwardContext(training: true, seed: rng.next())
        _ = pool.withPool { valueAndGradient { model.loss(batch, c.loss, &context) } }
        adam.step(model.parameters)
    }
    step(); step()
    MemoryUsage.resetPeak()
    let before = MemoryUsage.residentBytes() ?? 0
    let t = measure(warmup: 0, runs: runs) { step() }
    let peak = MemoryUsage.peakSinceResetBytes() ?? MemoryUsage.peakResidentBytes()
    let scored: Int
    if case .sampledNegatives(let n) = c.loss.requirement { scored = n + 1 } else { scored = split.dataset.vocabulary.size }
    let real = Double(realPositions) / Double(batches)
    let gf = stepFlops(c.model, batch: 128, real: real, scored: scored) / median(t) / 1e9
    var line = "\(c.name): \(fmt(median(t) * 1e3)) ms per step (min \(fmt(t.first! * 1e3)), max \(fmt(t.last! * 1e3))); "
        + "\(fmt(gf)) GF/s = \(fmt(100 * gf / ceiling))% of the sgemm ceiling"
    if let p = c.pytorch { line += "; PyTorch \(fmt(p * 1e3)) ms → \(fmt(p / median(t), 2))× faster" }
    if let target = c.target { line += " (target ≤ \(fmt(target * 1e3)) ms: \(median(t) <= target ? "met" : "MISSED"))" }
    print(line)
    print("    \(fmt(real, 0)) of \(128 * c.model.maxLength) positions labelled per batch on average; "
          + "peak RSS during the steps \(fmt(Double(peak) / 1e9, 2)) GB (resident before \(fmt(Double(before) / 1e9, 2)) GB)")
}

let port = SASRec.Config(maxLength: 200, dim: 128, blocks: 2, heads: 1, dropout: 0.5)
if only.contains("gsasrec") {
    trainStep(Case(name: "gSASRec port config (L 200, d 128, 2 blocks, k 256 per position, gBCE t 0.75)", model: port,
                   loss: try GBCELoss(negatives: 256, t: 0.75, catalogueSize: itemCount), shared: false,
                   pytorch: 6.63, target: 0.8))
}
if only.contains("shared") {
    trainStep(Case(name: "gSASRec, one shared set of 256 negatives per batch", model: port,
                   loss: try GBCELoss(negatives: 256, t: 0.75, catalogueSize: itemCount), shared: true,
                   pytorch: nil, target: nil))
}
if only.contains("small") {
    trainStep(Case(name: "SASRec small (L 50, d 64, 2 blocks, 1 negative, BCE)",
                   model: SASRec.Config(maxLength: 50, dim: 64, blocks: 2, heads: 1, dropout: 0.5),
                   loss: try BCELoss(negatives: 1), shared: false, pytorch: 0.0488, target: 0.020))
}
if only.contains("softmax") {
    trainStep(Case(name: "full softmax over \(itemCount) items (L 200, d 64, 2 blocks)",
                   model: SASRec.Config(maxLength: 200, dim: 64, blocks: 2, heads: 1, dropout: 0.5),
                   loss: SoftmaxCrossEntropyLoss(), shared: false, pytorch: 1.03, target: 0.34))
}
if only.contains("eval") {
    let model = try SASRec(vocabularySize: split.dataset.vocabulary.size, config: port)
    let evaluator = Evaluator(metrics: [NDCG(k: 10)], batchSize: 512)
    let t = measure(runs: runs) {
        _ = try! evaluator.evaluate(split.validation, in: split, scorer: SASRecScorer(model: model, split: split))
    }
    let cases = split.validation.count
    // FLOPs actually done: histories go shortest-first in groups of 64 cut to the group's longest.
    let lengths = split.validation.map { min(split.input($0).count, port.maxLength) }.sorted()
    var flops = Double(cases) * 2 * 128 * Double(itemCount)
    for g in stride(from: 0, to: cases, by: 64) {
        let rows = min(64, cases - g), l = Double(max(1, lengths[g + rows - 1]))
        flops += Double(port.blocks) * Double(rows) * (5 * 2 * l * 128 * 128 + 2 * 2 * l * l * 128)
    }
    let gf = flops / median(t) / 1e9
    print("score all \(itemCount) items for \(cases) validation users, filter seen, top-10 (port config): "
          + "\(fmt(median(t) * 1e3)) ms; \(fmt(gf)) GF/s = \(fmt(100 * gf / ceiling))% of the ceiling; "
          + "PyTorch 1060 ms → \(fmt(1.06 / median(t), 2))× (target ≤ 350 ms: \(median(t) <= 0.35 ? "met" : "MISSED"))")
}
