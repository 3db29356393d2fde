import BenchSupport
import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels
import SeqRecScoring

// Item-scoring benchmark for issue 5 (thesis Table 7.2 / Fig. 7.2 on simulated catalogues):
// single query (batch 1), d = 512, b = 256, top-10; median and 95th percentile over 50
// queries after 3 warm-up queries.
// Usage: seqrec-scoring-bench --compare-cases 8:1e6,64:1e6 [--compare-prune 1e6 [--prune-queries N]] [--json OUT]
//        (for scripts/bench compare)
//        seqrec-scoring-bench [--quick] [--min 1e3] [--max 1e8] [--splits 8,64] [--queries 50] [--prune [--prune-sizes 1e5,1e6,1e7]]
//        seqrec-scoring-bench --max 0 --trained RUN/model.safetensors --data PATH [--format user-item|gsasrec-split]

let args = CommandLine.arguments
func value(_ flag: String) -> String? { args.firstIndex(of: flag).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
let quick = args.contains("--quick")
let maxItems = Int(Double(value("--max") ?? (quick ? "1e6" : "1e8"))!)
let splitList = (value("--splits") ?? "8,64").split(separator: ",").map { Int($0)! }
let queries = Int(value("--queries") ?? (quick ? "10" : "50"))!
let dim = 512

print("SeqRec scoring benchmark — threads \(ThreadBudget.threads), d = \(dim), b = 256, K = 10, \(queries) queries after warm-up")
print("| m | items | scorer | median ms | p95 ms | catalogue MB | peak RSS MB | items scored |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")

func time(_ scorer: any TopKScorer, _ qs: [[Float]]) -> (Double, Double) {
    for q in qs.prefix(3) { _ = try! scorer.topK(q, k: 10, excluding: []) }
    var t: [Double] = []
    for q in qs {
        let sw = Stopwatch()
        _ = try! scorer.topK(q, k: 10, excluding: [])
        t.append(sw.elapsedSeconds * 1e3)
    }
    t.sort()
    return (t[t.count / 2], t[min(t.count - 1, Int(Double(t.count) * 0.95))])
}

// MARK: - The SeqRec side of `scripts/bench compare` (JSON records, FAISS runs beside it)

/// `--compare-cases 8:1e6,8:1e7,…`: PQTopK (automatic scan, and the scalar scan for the before /
/// after of the shuffle kernel) per m:items case, the read bandwidth of this run, and with
/// `--compare-prune N` RecJPQPrune at BS 1, 2, 8 beside PQTopK on the structured generator, alternated in rounds of 25 queries.
func compareRecords(_ list: String) -> [[String: Any]] {
    func label(_ n: Int) -> String {
        let e = Int(log10(Double(n)).rounded())
        return Int(pow(10, Double(e))) == n ? "1e\(e)" : "\(n)"
    }
    func stats(_ ms: [Double]) -> [String: Any] {
        let t = ms.sorted()
        return ["median_ms": median(t), "p95_ms": t[min(t.count - 1, Int(Double(t.count) * 0.95))],
                "mean_ms": t.reduce(0, +) / Double(t.count)]
    }
    func times(_ qs: [[Float]], _ body: ([Float]) -> Void) -> [Double] {
        for q in qs.prefix(3) { body(q) }
        return qs.map { q in let sw = Stopwatch(); body(q); return sw.elapsedSeconds * 1e3 }
    }
    var records: [[String: Any]] = [["work": "memory read bandwidth", "side": "seqrec", "gbps": memoryReadBandwidth()]]
    for item in list.split(separator: ",") {
        let parts = item.split(separator: ":")
        let m = Int(parts[0])!, n = Int(Double(parts[1])!)
        MemoryUsage.resetPeak()
        let c = try! PQCatalogue.random(items: n, splits: m, dim: dim, seed: UInt64(n + m))
        var rng = SplitMix64(seed: 99)
        let qs = (0..<queries).map { _ in (0..<dim).map { _ in rng.nextNormal() } }
        let fast = PQTopKScorer(catalogue: c)
        var scorers = [("seqrec PQTopK", fast)]
        if fast.usesShuffleKernel { scorers.append(("seqrec PQTopK scalar scan", PQTopKScorer(catalogue: c, scan: .scalar))) }
        for (side, scorer) in scorers {
            var r = stats(times(qs) { _ = try! scorer.topK($0, k: 10, excluding: []) })
            r["work"] = "pq m\(m) \(label(n))"
            r["side"] = side
            r["catalogue_bytes"] = c.bytes
            r["peak_rss_bytes"] = MemoryUsage.peakSinceResetBytes() ?? MemoryUsage.peakResidentBytes()
            records.append(r)
            print("pq m\(m) \(label(n)) \(side): \(fmt(r["median_ms"] as! Double, 3)) ms")
        }
    }
    if let sizeText = value("--compare-prune") {
        let n = Int(Double(sizeText)!)
        let s = try! StructuredCatalogue(items: n, codes: .svdQuantile, seed: UInt64(n))
        // Sub-millisecond queries: more of them (`--prune-queries`, default --queries) for a stable median.
        let qs = s.queries(Int(value("--prune-queries") ?? "") ?? queries)
        let pq = PQTopKScorer(catalogue: s.catalogue)
        var scorers: [(String, any TopKScorer)] = [("seqrec PQTopK", pq),
                                                    ("seqrec PQTopK scalar scan", PQTopKScorer(catalogue: s.catalogue, scan: .scalar))]
        for bs in [1, 2, 8] { scorers.append(("seqrec RecJPQPrune BS \(bs)", try! RecJPQPruneScorer(catalogue: s.catalogue, batchSize: bs))) }
        let expected = try! pq.topK(qs[0], k: 10, excluding: [])
        for (side, scorer) in scorers {
            precondition(try! scorer.topK(qs[0], k: 10, excluding: []) == expected, "\(side) differs from PQTopK")
            for q in qs.prefix(3) { _ = try! scorer.topK(q, k: 10, excluding: []) }
        }
        // Alternated in rounds of 25 queries per scorer (the order rotating), so a change in the
        // VM's speed during the run reaches every side alike while each scorer still runs on its
        // own warm caches, as it would serving alone.
        var ms = [[Double]](repeating: [], count: scorers.count)
        let round = 25
        for (r, start) in stride(from: 0, to: qs.count, by: round).enumerated() {
            for j in 0..<scorers.count {
                let side = (r + j) % scorers.count
                for q in qs[start..<Swift.min(start + round, qs.count)] {
                    let sw = Stopwatch()
                    _ = try! scorers[side].1.topK(q, k: 10, excluding: [])
                    ms[side].append(sw.elapsedSeconds * 1e3)
                }
            }
        }
        for (index, (side, _)) in scorers.enumerated() {
            var r = stats(ms[index])
            r["work"] = "structured \(label(n))"
            r["side"] = side
            records.append(r)
            print("structured \(label(n)) \(side): \(fmt(r["median_ms"] as! Double, 3)) ms")
        }
    }
    return records
}

if let list = value("--compare-cases") {
    let records = compareRecords(list)
    if let path = value("--json") {
        let data = try! JSONSerialization.data(withJSONObject: records, options: [.prettyPrinted, .sortedKeys])
        try! data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
    exit(0)
}

for m in splitList {
    var n = Int(Double(value("--min") ?? "1e3")!)
    while n <= maxItems {
        if m == 64 && n > 100_000_000 { break }
        let c = try! PQCatalogue.random(items: n, splits: m, dim: dim, seed: UInt64(n + m))
        var rng = SplitMix64(seed: 99)
        let qs = (0..<queries).map { _ in (0..<dim).map { _ in rng.nextNormal() } }
        let mb = Double(c.bytes) / 1e6
        func row(_ name: String, _ r: (Double, Double), scored: String = "") {
            print("| \(m) | \(n) | \(name) | \(fmt(r.0, 3)) | \(fmt(r.1, 3)) | \(fmt(mb, 1)) | "
                  + "\(fmt(Double(MemoryUsage.peakResidentBytes()) / 1e6, 0)) | \(scored) |")
        }
        let pq = PQTopKScorer(catalogue: c)
        row(pq.usesShuffleKernel ? "PQTopK (shuffle scan)" : "PQTopK", time(pq, qs))
        if pq.usesShuffleKernel { row("PQTopK (scalar scan)", time(PQTopKScorer(catalogue: c, scan: .scalar), qs)) }
        row("RecJPQ original", time(RecJPQScorer(catalogue: c), qs))
        if n <= 1_000_000 && m == 8 {
            let dense = try! DenseScorer(reconstructing: c)
            row("dense (sgemv)", time(dense, qs))
        }
        n *= 10
    }
}

// MARK: - RecJPQPrune on structured catalogues (pruning needs score structure)

/// RecJPQPrune (every BS) against PQTopK for K ∈ {1, 10, 100} on one catalogue and query set;
/// each prune result is checked against PQTopK on the first query.
func pruneTable(_ catalogue: PQCatalogue, _ qs: [[Float]]) {
    let n = catalogue.items
    let pq = PQTopKScorer(catalogue: catalogue)
    for k in [1, 10, 100] {
        for q in qs.prefix(3) { _ = try! pq.topK(q, k: k, excluding: []) }
        var tp: [Double] = []
        for q in qs { let sw = Stopwatch(); _ = try! pq.topK(q, k: k, excluding: []); tp.append(sw.elapsedSeconds * 1e3) }
        tp.sort()
        for bs in [1, 2, 4, 8, 16, 32] {
            let prune = try! RecJPQPruneScorer(catalogue: catalogue, batchSize: bs)
            for q in qs.prefix(3) { _ = try! prune.topK(q, k: k, excluding: []) }
            var t: [Double] = [], scored: [Int] = []
            for q in qs {
                let sw = Stopwatch()
                let r = try! prune.topKCountingScored(q, k: k, excluding: [])
                t.append(sw.elapsedSeconds * 1e3)
                scored.append(r.itemsScored)
                if q == qs[0] { precondition(r.items == (try! pq.topK(q, k: k, excluding: [])), "RecJPQPrune differs from PQTopK") }
            }
            t.sort(); scored.sort()
            let med = t[t.count / 2], p95 = t[min(t.count - 1, Int(Double(t.count) * 0.95))]
            print("| \(n) | \(k) | \(bs) | \(fmt(med, 3)) | \(fmt(p95, 3)) | \(fmt(tp[tp.count / 2], 3)) | "
                  + "\(fmt(tp[tp.count / 2] / med))× | \(scored[scored.count / 2]) (\(fmt(100 * Double(scored[scored.count / 2]) / Double(n), 1))%) |")
        }
    }
}

let pruneHeader = "| items | K | BS | prune median ms | prune p95 ms | PQTopK median ms | speed-up | items scored (median, % of N) |\n"
    + "| --- | --- | --- | --- | --- | --- | --- | --- |"

if args.contains("--prune") {
    let sizes = (value("--prune-sizes") ?? (quick ? "1e5" : "1e5,1e6,1e7")).split(separator: ",").map { Int(Double($0)!) }
    print("")
    let mode = StructuredCatalogue.Codes(rawValue: value("--codes") ?? "svdQuantile")!
    print("RecJPQPrune vs PQTopK on the structured generator (codes: \(mode.rawValue); m = 8, b = 256, d = 512), \(queries) queries")
    print(pruneHeader)
    for n in sizes {
        let s = try! StructuredCatalogue(items: n, codes: mode, seed: UInt64(n))
        pruneTable(s.catalogue, s.queries(queries))
    }
}

// MARK: - RecJPQPrune on a trained RecJPQ model (issue 5 (b))

if let path = value("--trained") {
    // The model's sub-item embeddings and codes form the catalogue; the queries are the
    // sequence embeddings φ of the first `--queries` test users (their test input).
    let ckpt = try! ModelCheckpoint.load(path: path)
    guard let jpq = ckpt.model.recJPQ else { fatalError("\(path) is not a RecJPQ model (model.itemEmbedding.kind = recjpq)") }
    guard let data = value("--data") else { fatalError("--trained needs --data <dataset path> (and --format)") }
    let format = value("--format") ?? "user-item"
    let split = try! DatasetSource.path(data, format: format, name: URL(fileURLWithPath: data).lastPathComponent).split()
    precondition(split.dataset.fingerprint.description == ckpt.fingerprint,
                 "dataset fingerprint \(split.dataset.fingerprint) differs from the model's \(ckpt.fingerprint)")
    let cases = Array(split.test.prefix(queries))
    let hidden = ckpt.model.queryVectors(cases.map { split.input($0) }).scalars
    let d = ckpt.model.itemDim
    let qs = (0..<cases.count).map { Array(hidden[($0 * d)..<(($0 + 1) * d)]) }
    let catalogue = try! jpq.catalogue()
    print("")
    print("RecJPQPrune vs PQTopK on a trained model: \(path) (\(split.dataset.vocabulary.itemCount) items, d = \(d), "
          + "m = \(jpq.codebook.splits), b = \(jpq.codebook.subIDs), codes \(jpq.codebook.strategy)); \(cases.count) test users' φ")
    print(pruneHeader)
    pruneTable(catalogue, qs)
}

// MARK: - Codebook layout: item-major (the library's) vs split-major, same PQTopK work

if args.contains("--layout") {
    let n = Int(Double(value("--layout-items") ?? "1e7")!), m = 8, b = 256
    let c = try! PQCatalogue.random(items: n, splits: m, dim: dim, seed: 7)
    // Split-major copy: codes[k·n + i].
    var splitMajor = [UInt8](repeating: 0, count: n * m)
    for i in 0..<n { for k in 0..<m { splitMajor[k * n + i] = c.codes[i * m + k] } }
    var rng = SplitMix64(seed: 5)
    let qs = (0..<queries).map { _ in (0..<dim).map { _ in rng.nextNormal() } }
    /// PQTopK over split-major codes: blocks of 4096 items accumulated split by split (in split
    /// order, so scores are identical), then offered to the thread's top-K.
    func splitMajorTopK(_ q: [Float]) -> [ScoredItem] {
        let s = try! c.subIDScores(q)
        let chunks = Parallel.chunkCount(n, grain: 65_536)
        var parts = [TopKSelector](repeating: TopKSelector(k: 10), count: chunks)
        splitMajor.withUnsafeBufferPointer { cb in
            s.withUnsafeBufferPointer { sb in
                parts.withUnsafeMutableBufferPointer { pp in
                    Parallel.forChunks(n, grain: 65_536) { ch, range in
                        var sel = TopKSelector(k: 10)
                        var acc = [Float](repeating: 0, count: 4096)
                        var lo = range.lowerBound
                        while lo < range.upperBound {
                            let hi = min(range.upperBound, lo + 4096)
                            for j in 0..<(hi - lo) { acc[j] = sb[Int(cb[lo + j])] }
                            for k in 1..<m {
                                let row = cb.baseAddress! + k * n, t = sb.baseAddress! + k * b
                                for j in 0..<(hi - lo) { acc[j] += t[Int(row[lo + j])] }
                            }
                            var threshold = sel.threshold
                            for j in 0..<(hi - lo) where acc[j] >= threshold {
                                sel.offer(acc[j], Int32(lo + j))
                                threshold = sel.threshold
                            }
                            lo = hi
                        }
                        pp[ch] = sel
                    }
                }
            }
        }
        var all = TopKSelector(k: 10)
        for p in parts { for x in p.sorted() { all.offer(x.score, x.item) } }
        return all.sorted()
    }
    let pq = PQTopKScorer(catalogue: c)
    precondition(splitMajorTopK(qs[0]) == (try! pq.topK(qs[0], k: 10, excluding: [])))
    let itemMajor = time(pq, qs)
    for q in qs.prefix(3) { _ = splitMajorTopK(q) }
    var t: [Double] = []
    for q in qs { let sw = Stopwatch(); _ = splitMajorTopK(q); t.append(sw.elapsedSeconds * 1e3) }
    t.sort()
    print("")
    print("layout, PQTopK m = 8, \(n) items: item-major \(fmt(itemMajor.0, 3)) ms (p95 \(fmt(itemMajor.1, 3))), "
          + "split-major \(fmt(t[t.count / 2], 3)) ms (p95 \(fmt(t[min(t.count - 1, Int(Double(t.count) * 0.95))], 3)))")
}
