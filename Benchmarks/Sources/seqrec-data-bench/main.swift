import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecTensor
import BenchSupport

// Data and evaluation benchmark (issues 3 and 16). The whole-process comparison with pandas and
// polars is experiments/reference/data_bench.py, which scripts/bench data runs after this.
// Usage: seqrec-data-bench [--quick] [--only parse,layouts,evaluate] (parse includes layouts)
//        [--layouts ratings.dat,ratings.csv,…] (by file name; the user-item file is always the first)

let args = CommandLine.arguments
let quick = args.contains("--quick")
let only: Set<String> = {
    if let i = args.firstIndex(of: "--only"), i + 1 < args.count { return Set(args[i + 1].split(separator: ",").map(String.init)) }
    return ["parse", "evaluate"]
}()
print("SeqRec data/evaluation benchmark — threads \(ThreadBudget.threads)\(quick ? " (quick)" : "")")

// MARK: - Loading interaction files (issue 16)

/// Stages of `seqrec stats` and the split on the user-item file, in process; the read on one
/// thread; a second load through the dataset cache.
func benchmarkStages(_ files: DataFiles) {
    let userItem = DataFiles.layouts[0]
    let (path, lines) = files.ensure(userItem)
    let size = Double((try! FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue)
    print("loading \(lines) lines (\(fmt(size / 1e6)) MB, \(files.users) users, \(files.items) items; \(path)), medians of 3:")
    // Stages of `seqrec stats` + the split, in process.
    var stages: [String: [Double]] = [:]
    var dataset: SequenceDataset? = nil
    var peak = 0
    for _ in 0..<3 {
        _ = MemoryUsage.resetPeak()
        var sw = Stopwatch()
        let log = try! UserItemFormat().read(path: path)
        stages["read (map, scan, intern)", default: []].append(sw.elapsedSeconds)
        sw.reset()
        let d = try! Preprocessing().apply(to: log, name: "bench")
        stages["group, order, number", default: []].append(sw.elapsedSeconds)
        sw.reset()
        let f = d.fingerprinted()
        stages["fingerprint", default: []].append(sw.elapsedSeconds)
        sw.reset()
        _ = f.statistics
        stages["Table 2.1 statistics", default: []].append(sw.elapsedSeconds)
        sw.reset()
        _ = try! LeaveOneOut(validationUsers: 10_000).split(f)
        stages["leave-one-out split", default: []].append(sw.elapsedSeconds)
        peak = max(peak, MemoryUsage.peakSinceResetBytes() ?? MemoryUsage.peakResidentBytes())
        dataset = f
    }
    var total = 0.0
    for name in ["read (map, scan, intern)", "group, order, number", "fingerprint", "Table 2.1 statistics", "leave-one-out split"] {
        let m = median(stages[name]!.sorted())
        total += m
        print("    \(name): \(fmt(m * 1000, 0)) ms")
    }
    print("    total \(fmt(total, 2)) s = \(fmt(size / 1e6 / total, 0)) MB/s; in-process peak RSS \(fmt(Double(peak) / 1e6, 0)) MB "
          + "(\(fmt(Double(peak) / size, 2))× the file); threads \(ThreadBudget.threads)")
    // The read alone on one thread: what the chunked parallel scan buys.
    let threads = ThreadBudget.threads
    ThreadBudget.set(1)
    let oneThread = median(measure(warmup: 0, runs: 3) { _ = try! UserItemFormat().read(path: path) })
    ThreadBudget.set(threads)
    print("    read on 1 thread: \(fmt(oneThread * 1000, 0)) ms (\(fmt(oneThread / median(stages["read (map, scan, intern)"]!.sorted()), 2))× the \(threads)-thread read)")
    // A second load through the dataset cache.
    let cacheDir = files.directory + "/cache"
    try? FileManager.default.removeItem(atPath: cacheDir)
    var source = try! DatasetSource.path(path, format: "user-item", name: "bench")
    source.cache = DatasetCache(directory: cacheDir)
    _ = try! source.dataset()
    let cached = measure(warmup: 0, runs: 3) { _ = try! source.dataset() }
    print("    second load from the dataset cache: \(fmt(median(cached) * 1000, 0)) ms (fingerprint \(dataset!.fingerprint.hash.prefix(8))… kept)")
}

/// Every layout: read + group/order/number rate (the read timed on its own too). The layouts
/// take turns, 7 rounds in rotating order, so a drift of the machine's speed hits them alike
/// (and a median of 7 is not moved by the VM's occasional read at twice the usual time).
func benchmarkLayouts(_ files: DataFiles) {
    print("  read + group/order/number per layout (same interactions; layouts alternated in rotating order, medians of 7):")
    let chosen: Set<String>? = args.firstIndex(of: "--layouts").flatMap { i in
        i + 1 < args.count ? Set(args[i + 1].split(separator: ",").map(String.init)) : nil
    }
    let named = DataFiles.layouts.enumerated().filter { k, l in k == 0 || chosen?.contains(l.file) ?? true }.map { $0.1 }
    let layouts = named.map { layout -> (DataFiles.Layout, String, Int, InteractionFormat) in
        let (p, n) = files.ensure(layout)
        var options = FormatOptions()
        options.timestamp = layout.format == "delimited" ? .name("timestamp") : nil
        return (layout, p, n, try! InteractionFormats.make(layout.format, options: options))
    }
    var reads = [[Double]](repeating: [], count: layouts.count), totals = reads
    for round in 0..<7 {
        // Each round starts one layout later: no layout always runs right after the same one.
        for step in 0..<layouts.count {
            let k = (round + step) % layouts.count
            let (_, p, _, reader) = layouts[k]
            let sw = Stopwatch()
            let log = try! reader.read(path: p)
            reads[k].append(sw.elapsedSeconds)
            _ = try! Preprocessing().apply(to: log, name: "bench")
            totals[k].append(sw.elapsedSeconds)
        }
    }
    var baseRate = 0.0
    for (k, (layout, p, n, _)) in layouts.enumerated() {
        let bytes = Double((try! FileManager.default.attributesOfItem(atPath: p)[.size] as! NSNumber).intValue)
        let t = median(totals[k].sorted()), read = median(reads[k].sorted())
        let rate = Double(n) / t
        if baseRate == 0 { baseRate = rate }
        print("    \(layout.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(fmt(bytes / 1e6, 0)) MB: \(fmt(t, 2)) s "
              + "(read \(fmt(read, 2)) s) = \(fmt(rate / 1e6, 1))M lines/s, \(fmt(bytes / 1e6 / t, 0)) MB/s "
              + "(\(fmt(baseRate / rate, 2))× the user-item time per line)")
    }
}

let files = DataFiles(users: quick ? 20_000 : 200_000, items: quick ? 10_000 : 100_000)
if only.contains("parse") { benchmarkStages(files) }
if only.contains("parse") || only.contains("layouts") { benchmarkLayouts(files) }

// MARK: - Full-catalogue evaluation from a GEMM score producer

/// Dense dot-product scores from random user/item embeddings through the engine's sgemm.
struct DotScorer: ItemScorer {
    let users: Tensor   // [U, d]
    let items: Tensor   // [N + 2, d]
    let dim: Int
    func score(_ cases: [EvaluationCase], items ids: Range<Int32>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let rows = cases.count
        // Gather user rows (cases may be any users), then one sgemm against the item block.
        var q = [Float](repeating: 0, count: rows * dim)
        users.withUnsafeBufferPointer { u in
            for (r, c) in cases.enumerated() { for j in 0..<dim { q[r * dim + j] = u[c.user * dim + j] } }
        }
        items.withUnsafeBufferPointer { it in
            q.withUnsafeBufferPointer { qp in
                BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: ids.count, k: dim, a: qp.baseAddress!, lda: dim,
                           b: it.baseAddress! + Int(ids.lowerBound) * dim, ldb: dim, c: buffer.baseAddress!, ldc: ids.count)
            }
        }
    }
}

if only.contains("evaluate") {
    let users = quick ? 10_000 : 100_000, items = quick ? 10_000 : 100_000, dim = 64
    let data = try! SyntheticDataset(users: users, items: items, meanLength: 20, seed: 3).generate()
    let split = try! LeaveOneOut().split(data)
    var rng = SplitMix64(seed: 4)
    let scorer = DotScorer(users: .randomNormal([users, dim], rng: &rng), items: .randomNormal([items + 2, dim], rng: &rng), dim: dim)
    let evaluator = Evaluator(metrics: [NDCG(k: 10), Recall(k: 10), MRR()], filterSeen: true, batchSize: 256)
    // The producer alone over the same batches.
    var sw = Stopwatch()
    var buffer = [Float](repeating: 0, count: 256 * items)
    var start = 0
    while start < split.test.count {
        let chunk = Array(split.test[start..<min(split.test.count, start + 256)])
        try! buffer.withUnsafeMutableBufferPointer { b in
            try scorer.score(chunk, items: 1..<Int32(items + 1), into: UnsafeMutableBufferPointer(rebasing: b[0..<(chunk.count * items)]))
        }
        start += chunk.count
    }
    let gemmSeconds = sw.elapsedSeconds
    sw.reset()
    let result = try! evaluator.evaluate(split.test, in: split, scorer: scorer)
    let total = sw.elapsedSeconds
    print("evaluate \(split.test.count) users × \(items) items, top-10, seen filter on, batch 256: \(fmt(total, 2)) s = "
          + "\(fmt(Double(split.test.count) / total, 0)) users/s")
    print("    scoring GEMM alone (d = \(dim)): \(fmt(gemmSeconds, 2)) s; ranking/metric layer: \(fmt(total - gemmSeconds, 2)) s "
          + "(\(fmt(100 * (total - gemmSeconds) / total))% of the total); NDCG@10 \(fmt(result.means["ndcg@10"]!, 5)) (random model)")
}
