import BenchSupport
import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecNN
import SeqRecObjectives
import SeqRecTensor

// Model benchmark: SASRec / gSASRec training steps and evaluation (PyTorch beside them in the same
// run: `scripts/bench compare`, which reads this program's --json records), and a BERT4Rec step
// beside experiments/reference/bert4rec_torch.py run in the same process's session (when a
// Python with torch is found: --python, else SEQREC_TORCH_PYTHON, else python3).
// Usage: seqrec-model-bench [--data ../shared/datasets/ml1m-gsasrec] [--runs 5] [--json OUT]
//        [--only gsasrec,small,softmax,eval,shared,bert4rec] [--python PATH]
// Without ML-1M it uses a synthetic catalogue of the same shape (6,040 users, 3,416 items).

let args = CommandLine.arguments
func option(_ name: String) -> String? {
    args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
}
let runs = Int(option("--runs") ?? "5") ?? 5
let only = Set((option("--only") ?? "gsasrec,small,softmax,eval,shared,bert4rec").split(separator: ",").map(String.init))
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

// The sgemm ceiling of this run: the faster of the engine's sgemm (BLAS.sgemmKernel) and OpenBLAS's,
// 2048³ split over the thread budget the same way.
func sgemmCeiling() -> (ceiling: Double, engine: Double, openBLAS: Double) {
    let n = 2048
    let a = Tensor(repeating: 0.5, shape: [n, n]), b = Tensor(repeating: 0.25, shape: [n, n])
    let engine = 2 * Double(n * n * n) / median(measure(runs: 5) { _ = Tensor.matmul(a, b) }) / 1e9
    var c = [Float](repeating: 0, count: n * n)
    let threads = ThreadBudget.threads, per = (n + threads - 1) / threads
    let t = measure(runs: 5) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    Parallel.for(threads, grain: 1) { r in
                        for i in r where i * per < n {
                            let rows = min(per, n - i * per)
                            BLAS.openBLASSgemm(false, false, rows, n, n, 1, ap.baseAddress! + i * per * n, n, bp.baseAddress!, n,
                                               0, cp.baseAddress! + i * per * n, n)
                        }
                    }
                }
            }
        }
    }
    let openBLAS = 2 * Double(n * n * n) / median(t) / 1e9
    return (max(engine, openBLAS), engine, openBLAS)
}
let measured = sgemmCeiling()
let ceiling = measured.ceiling
print("sgemm 2048³ ceiling: \(fmt(ceiling)) GF/s (engine sgemm, \(BLAS.sgemmKernel.rawValue): \(fmt(measured.engine)) GF/s; "
      + "OpenBLAS: \(fmt(measured.openBLAS)) GF/s)\n")

/// Records for `--json PATH` (read by experiments/reference/bench_compare.py): one per timed work.
var records: [[String: Any]] = [["work": "sgemm 2048", "side": "seqrec", "gflops": ceiling]]
func record(_ work: String, seconds: [Double], gflops: Double? = nil) {
    var r: [String: Any] = ["work": work, "side": "seqrec", "median_ms": median(seconds) * 1e3, "runs_ms": seconds.map { $0 * 1e3 }]
    if let g = gflops { r["gflops"] = g; r["ceiling_share"] = g / ceiling }
    records.append(r)
}

/// Matrix-product FLOPs of one training step (forward + backward ≈ 3 × forward): the blocks
/// over the `tokens` real (non-padding) positions of the batch (FFN of width `hidden`, output
/// projection when `outputProjection`), attention over the query-key pairs needed within each
/// sequence (`pairs`: nₛ(nₛ+1)/2 causal, nₛ² bidirectional), the output layer over the `real`
/// (target) positions only — the work needed (padding and masked pairs are not counted), so the
/// rate is not inflated by work that need not be done.
func stepFlops(tokens: Double, pairs: Double, d: Int, blocks: Int, hidden: Int, outputProjection: Bool, real: Double,
               scored: Int, head: Bool = false) -> Double {
    let n = tokens, dd = Double(d)
    let projections = Double(outputProjection ? 4 : 3) * 2 * n * dd * dd
    let ffn = 2 * 2 * n * dd * Double(hidden)
    let attention = 2 * 2 * pairs * dd
    let output = 2 * real * Double(scored) * dd + (head ? 2 * real * dd * dd : 0)
    return 3 * (Double(blocks) * (projections + ffn + attention) + output)
}

struct Case {
    let work: String
    let name: String
    let config: RunConfig
    let target: Double?
}

/// Times `TrainStep` — the trainer's own step — on batches of 128 random users.
func trainStep(_ c: Case) -> Double {
    let model = try! Models.make(c.config.model, vocabularySize: split.dataset.vocabulary.size)
    let objective = try! c.config.makeObjective(catalogueSize: itemCount)
    let step = TrainStep(model: model, objective: objective, optimizer: try! Adam())
    var rng = SplitMix64(seed: 7)
    let users = (0..<split.dataset.userCount).filter { split.trainLengths[$0] >= objective.sampler.minimumTrainingLength }
    var targets = 0, batches = 0, tokens = 0.0, pairs = 0.0
    func run() {
        let batchUsers = (0..<128).map { _ in users[rng.nextInt(below: users.count)] }
        let (batch, negatives) = objective.batch(split, users: batchUsers, length: model.maxLength, rng: &rng)
        targets += batch.targets.count
        for b in 0..<batch.batchSize {
            let n = Double(batch.inputs.ids[(b * batch.length)..<((b + 1) * batch.length)].filter { $0 != 0 }.count)
            tokens += n
            pairs += model.isCausal ? n * (n + 1) / 2 : n * n   // query-key pairs the model needs
        }
        batches += 1
        _ = step(batch, negatives: negatives, seed: rng.next())
    }
    run(); run()
    MemoryUsage.resetPeak()
    let before = MemoryUsage.residentBytes() ?? 0
    let t = measure(warmup: 0, runs: runs) { run() }
    let peak = MemoryUsage.peakSinceResetBytes() ?? MemoryUsage.peakResidentBytes()
    let scored: Int
    if case .sampledNegatives(let n) = objective.loss.requirement { scored = n + 1 } else { scored = itemCount }
    let real = Double(targets) / Double(batches)
    let s = try! c.config.modelSettings
    let bert = s as? BERT4Rec.Config
    let gf = stepFlops(tokens: tokens / Double(batches), pairs: pairs / Double(batches), d: s.dim,
                       blocks: bert?.blocks ?? (s as! SASRec.Config).blocks, hidden: bert?.intermediate ?? s.dim,
                       outputProjection: bert != nil, real: real, scored: scored, head: bert != nil) / median(t) / 1e9
    var line = "\(c.name): \(fmt(median(t) * 1e3)) ms per step (min \(fmt(t.first! * 1e3)), max \(fmt(t.last! * 1e3))); "
        + "\(fmt(gf)) GF/s = \(fmt(100 * gf / ceiling))% of the sgemm ceiling"
    if let target = c.target { line += " (target ≤ \(fmt(target * 1e3)) ms: \(median(t) <= target ? "met" : "MISSED"))" }
    print(line)
    record(c.work, seconds: t, gflops: gf)
    print("    \(fmt(real, 0)) of \(128 * s.maxLength) positions are targets and \(fmt(tokens / Double(batches), 0)) are real per batch on average; "
          + "peak RSS during the steps \(fmt(Double(peak) / 1e9, 2)) GB (resident before \(fmt(Double(before) / 1e9, 2)) GB)")
    return median(t)
}

func sasrec(_ model: SASRec.Config, _ loss: LossConfig, shared: Bool = false) -> RunConfig {
    var c = RunConfig(model: model, loss: loss)
    c.training.sharedNegatives = shared
    return c
}

let port = SASRec.Config(maxLength: 200, dim: 128, blocks: 2, heads: 1, dropout: 0.5)
if only.contains("gsasrec") {
    _ = trainStep(Case(work: "gsasrec", name: "gSASRec port config (L 200, d 128, 2 blocks, k 256 per position, gBCE t 0.75)",
                       config: sasrec(port, .gbce(negatives: 256, t: 0.75)), target: 0.8))
}
if only.contains("shared") {
    _ = trainStep(Case(work: "gsasrec shared negatives", name: "gSASRec, one shared set of 256 negatives per batch", config: sasrec(port, .gbce(negatives: 256, t: 0.75), shared: true),
                       target: nil))
}
if only.contains("small") {
    _ = trainStep(Case(work: "small", name: "SASRec small (L 50, d 64, 2 blocks, 1 negative, BCE)",
                       config: sasrec(SASRec.Config(maxLength: 50, dim: 64, blocks: 2, heads: 1, dropout: 0.5), .bce(negatives: 1)),
                       target: 0.020))
}
if only.contains("softmax") {
    _ = trainStep(Case(work: "softmax", name: "full softmax over \(itemCount) items (L 200, d 64, 2 blocks)",
                       config: sasrec(SASRec.Config(maxLength: 200, dim: 64, blocks: 2, heads: 1, dropout: 0.5), .softmax),
                       target: 0.34))
}
if only.contains("bert4rec") {
    // BERT4Rec (L 200, d 64, 2 blocks, 2 heads, FFN 256, masking 0.2 with at most 20 masks, the
    // original code's 1/11 last-item sequences, full softmax), then the PyTorch reference of the
    // same architecture and objective, alternated: ours, PyTorch, ours, PyTorch.
    let config = RunConfig.presets["bert4rec"]!
    let python = option("--python") ?? ProcessInfo.processInfo.environment["SEQREC_TORCH_PYTHON"] ?? "python3"
    func torchStep() -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, "experiments/reference/bert4rec_torch.py", "--data", dataPath, "--bench-steps", "\(runs)",
                       "--threads", "\(ThreadBudget.threads)"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let ms = json["median_ms"] as? Double else { return nil }
        return ms / 1e3
    }
    var ours: [Double] = [], theirs: [Double] = []
    for round in 0..<2 {
        ours.append(trainStep(Case(work: "bert4rec", name: "BERT4Rec (L 200, d 64, 2 blocks, 2 heads, masking 0.2, softmax over \(itemCount)), round \(round + 1)",
                                   config: config, target: nil)))
        if let t = torchStep() { theirs.append(t); print("    PyTorch reference (\(python)), round \(round + 1): \(fmt(t * 1e3)) ms per step") }
    }
    if theirs.isEmpty {
        print("    PyTorch reference not run: \(python) has no torch (pip install torch numpy; --python PATH)")
    } else {
        let a = ours.reduce(0, +) / Double(ours.count), b = theirs.reduce(0, +) / Double(theirs.count)
        print("BERT4Rec step, SeqRec \(fmt(a * 1e3)) ms vs PyTorch eager \(fmt(b * 1e3)) ms (means of the rounds' medians, alternated in one run): "
              + "\(fmt(b / a, 2))× faster (target ≥ 3×: \(b / a >= 3 ? "met" : "MISSED"))")
    }
}
if only.contains("eval") {
    let model = try SASRec(vocabularySize: split.dataset.vocabulary.size, config: port)
    let evaluator = Evaluator(metrics: [NDCG(k: 10)], batchSize: 512)
    let t = measure(runs: runs) {
        _ = try! evaluator.evaluate(split.validation, in: split, scorer: ModelScorer(model: model, split: split))
    }
    let cases = split.validation.count
    // FLOPs needed, per history over its own length n (the packed blocks do no padding work):
    // every block but the last over all positions (causal attention counted as the n·(n+1)/2
    // query-key pairs it needs); the last block's keys and values over all positions, its query,
    // attention and feed-forward network at the last position only (`encodeLast`).
    var flops = Double(cases) * 2 * 128 * Double(itemCount)
    for c in split.validation {
        let l = Double(max(1, min(split.input(c).count, port.maxLength)))
        let full = 5 * 2 * l * 128 * 128 + 2 * 2 * (l * (l + 1) / 2) * 128
        let last = 2 * 2 * l * 128 * 128 + 3 * 2 * 128 * 128 + 2 * 2 * l * 128
        flops += Double(port.blocks - 1) * full + last
    }
    let gf = flops / median(t) / 1e9
    record("eval", seconds: t, gflops: gf)
    print("score all \(itemCount) items for \(cases) validation users, filter seen, top-10 (port config): "
          + "\(fmt(median(t) * 1e3)) ms; \(fmt(gf)) GF/s = \(fmt(100 * gf / ceiling))% of the ceiling; "
          + "(target ≤ 350 ms: \(median(t) <= 0.35 ? "met" : "MISSED"); PyTorch beside it: scripts/bench compare)")
}

if let path = option("--json") {
    let data = try JSONSerialization.data(withJSONObject: records, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
}
