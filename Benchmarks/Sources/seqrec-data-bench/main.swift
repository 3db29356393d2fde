import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecTensor

// Data and evaluation benchmark for issue 3.
// Usage: seqrec-data-bench [--quick] [--only parse,evaluate]

let args = CommandLine.arguments
let quick = args.contains("--quick")
let only: Set<String> = {
    if let i = args.firstIndex(of: "--only"), i + 1 < args.count { return Set(args[i + 1].split(separator: ",").map(String.init)) }
    return ["parse", "evaluate"]
}()
func fmt(_ v: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", v) }
print("SeqRec data/evaluation benchmark — threads \(ThreadBudget.threads)\(quick ? " (quick)" : "")")

// MARK: - Parsing a large `user item` file

if only.contains("parse") {
    let lines = quick ? 2_000_000 : 20_000_000
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-bench-\(lines).txt").path
    if !FileManager.default.fileExists(atPath: path) {
        // Streamed to disk in 1 MB chunks so generation does not inflate the parse's peak RSS.
        var rng = SplitMix64(seed: 1)
        _ = FileManager.default.createFile(atPath: path + ".tmp", contents: nil)
        let handle = FileHandle(forWritingAtPath: path + ".tmp")!
        var chunk = ""
        let perUser = 20
        for k in 0..<lines {
            chunk += "\(k / perUser + 1) \(1 + rng.nextInt(below: 100_000))\n"
            if chunk.utf8.count > 1 << 20 { handle.write(Data(chunk.utf8)); chunk = "" }
        }
        handle.write(Data(chunk.utf8))
        handle.closeFile()
        try! FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
    }
    let size = Double((try! FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue)
    let rssBefore = MemoryUsage.peakResidentBytes()
    var sw = Stopwatch()
    let log = try! UserItemFormat().read(path: path)
    let readSeconds = sw.elapsedSeconds
    sw.reset()
    let d = try! Preprocessing().apply(to: log, name: "bench")
    let buildSeconds = sw.elapsedSeconds
    let peak = MemoryUsage.peakResidentBytes()
    print("parse \(lines) lines (\(fmt(size / 1e6)) MB): read+intern \(fmt(readSeconds, 2)) s = \(fmt(size / 1e6 / readSeconds)) MB/s; "
          + "group+order+number \(fmt(buildSeconds, 2)) s; total \(fmt(size / 1e6 / (readSeconds + buildSeconds))) MB/s")
    print("    \(d.userCount) users, \(d.vocabulary.itemCount) items; peak RSS \(fmt(Double(peak) / 1e6)) MB "
          + "(before: \(fmt(Double(rssBefore) / 1e6)) MB) = \(fmt(Double(peak) / size, 2))× the file size")
}

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
