import Foundation
import SeqRecCore
import SeqRecData

/// Full-catalogue evaluation, the one code path behind both metrics and recommendations.
///
/// For each batch of cases the scorer fills a `[batch, block]` score buffer for a block of item
/// ids; each row streams into a bounded top-K selector and counts items scoring above / equal to
/// the target. Memory is bounded by batch × block, never users × items. When the catalogue
/// needs more than one block, the blocks are scored twice (first for the target's score and the
/// top-K, then for counting). Padding, [MASK] and any id outside 1…N are never candidates.
/// With `filterSeen`, every item of the case's input history is removed for every model alike,
/// and a target inside the history counts as filtered (metrics 0; reported).
public struct Evaluator {
    /// The per-case metrics to compute.
    public var metrics: [any Metric]
    /// Remove the input history from the candidates (the gSASRec port's `filter_rated`).
    public var filterSeen: Bool
    /// Cases scored per scorer call.
    public var batchSize: Int
    /// Upper bound on batch × block floats in the score buffer.
    public var maxBufferFloats: Int
    /// Length of the kept top list (at least every metric's depth).
    public var listLength: Int
    /// Opt-in popularity-sampled evaluation (thesis §3.4.4); its metrics are prefixed `sampled-popN:` (N negatives).
    public var sampled: PopularitySampling?
    /// How scores read as probabilities (the model's loss says: σ for (g)BCE, softmax over the
    /// catalogue for softmax); enables ECE and the calibration curve (thesis §5.3).
    public var probability: ProbabilityTransform?

    public init(metrics: [any Metric], filterSeen: Bool = true, batchSize: Int = 256,
                maxBufferFloats: Int = 1 << 25, listLength: Int = 10, sampled: PopularitySampling? = nil,
                probability: ProbabilityTransform? = nil) {
        self.metrics = metrics
        self.filterSeen = filterSeen
        self.batchSize = batchSize
        self.maxBufferFloats = maxBufferFloats
        self.listLength = Swift.max(listLength, metrics.map(\.depth).max() ?? 1)
        self.sampled = sampled
        self.probability = probability
    }

    /// The protocol in words, recorded with every result.
    public var protocolDescription: String {
        "candidates=full catalogue" + (sampled.map { " (+ \($0.description))" } ?? "")
            + "; seen filter=\(filterSeen ? "on" : "off"); ties=expected rank under random tie-breaking; "
            + "metrics=\(metrics.map(\.name).joined(separator: ","))"
    }

    /// Ranks every case: the single path used by `evaluate` and by recommendation.
    /// - Throws: `DataError` when a scorer returns NaN; the scorer's own errors.
    public func rank(_ cases: [EvaluationCase], in split: DatasetSplit, scorer: any ItemScorer) throws -> [RankedCase] {
        try rankAll(cases, split, scorer, sampledNegatives: nil).full
    }

    /// Ranks the cases; with `sampledNegatives`, also ranks each target among its sampled candidates.
    func rankAll(_ cases: [EvaluationCase], _ split: DatasetSplit, _ scorer: any ItemScorer,
                 sampledNegatives: [[Int32]]?) throws -> (full: [RankedCase], sampled: [RankedCase]) {
        try HyperparameterError.checkAtLeast("batchSize", batchSize, 1)
        let n = split.dataset.vocabulary.itemCount
        guard n > 0 else { throw DataError(file: split.dataset.name, "empty catalogue") }
        let batch = Swift.min(batchSize, Swift.max(cases.count, 1))
        let block = Swift.max(1, Swift.min(n, maxBufferFloats / batch))
        var buffer = [Float](repeating: 0, count: batch * block)
        var full: [RankedCase] = [], sampled: [RankedCase] = []
        full.reserveCapacity(cases.count)
        var start = 0
        while start < cases.count {
            let range = start..<Swift.min(cases.count, start + batch)
            let chunk = Array(cases[range])
            let r = try rankBatch(chunk, split, scorer, n, block, &buffer, sampledNegatives.map { Array($0[range]) })
            full += r.full
            sampled += r.sampled
            start += chunk.count
        }
        return (full, sampled)
    }

    /// Per-row state while streaming blocks.
    private struct RowState {
        var selector: TopKSelector
        var targetScore: Float = .nan
        var greater = 0, ties = 0, candidates = 0
        var nanItem: Int32? = nil
        var sampledScores: [Float]
        /// Streaming log Σ exp over the catalogue: running maximum and Σ exp(s − maximum).
        var lseMax: Float = -.infinity
        var lseSum: Double = 0
    }

    private func rankBatch(_ cases: [EvaluationCase], _ split: DatasetSplit, _ scorer: any ItemScorer, _ n: Int,
                           _ block: Int, _ buffer: inout [Float], _ negatives: [[Int32]]?)
        throws -> (full: [RankedCase], sampled: [RankedCase])
    {
        let rows = cases.count
        var state = (0..<rows).map { r in
            RowState(selector: TopKSelector(k: listLength),
                     sampledScores: [Float](repeating: -.infinity, count: negatives?[r].count ?? 0))
        }
        let blocks = stride(from: 1, through: n, by: block).map { Int32($0)..<Int32(Swift.min(n + 1, $0 + block)) }
        let filter = filterSeen
        let softmax = probability == .softmax
        // Each row's distinct seen items, built once per batch (not once per block).
        let seenItems: [[Int32]] = cases.map { filter ? Array(Set(split.input($0))) : [] }
        for pass in 0..<(blocks.count == 1 ? 1 : 2) {
            // Pass 0: target score, top-K, sampled scores (+ counts if one block covers all).
            // Pass 1 (several blocks only): counts against the now-known target score.
            let counting = blocks.count == 1 || pass == 1
            for ids in blocks {
                try buffer.withUnsafeMutableBufferPointer { b in
                    try scorer.score(cases, items: ids, into: UnsafeMutableBufferPointer(rebasing: b[0..<(rows * ids.count)]))
                }
                let width = ids.count
                buffer.withUnsafeBufferPointer { b in
                    state.withUnsafeMutableBufferPointer { st in
                        let chunks = Parallel.chunkCount(rows, grain: 1)
                        var scratch = (0..<chunks).map { _ in [Bool](repeating: false, count: n + 2) }
                        scratch.withUnsafeMutableBufferPointer { scr in
                            Parallel.forChunks(rows, grain: 1) { chunk, range in
                                for r in range {
                                    let c = cases[r]
                                    let row = b.baseAddress! + r * width
                                    let seen = scr[chunk].withUnsafeMutableBufferPointer { $0.baseAddress! }
                                    for i in seenItems[r] { seen[Int(i)] = true }
                                    defer { for i in seenItems[r] { seen[Int(i)] = false } }
                                    if pass == 0 {
                                        if softmax { Evaluator.accumulateLogSumExp(row, width, &st[r].lseMax, &st[r].lseSum) }
                                        if ids.contains(c.target) { st[r].targetScore = row[Int(c.target - ids.lowerBound)] }
                                        if let neg = negatives?[r] {
                                            for (k, id) in neg.enumerated() where ids.contains(id) && !seen[Int(id)] {
                                                st[r].sampledScores[k] = row[Int(id - ids.lowerBound)]
                                            }
                                        }
                                    }
                                    let t = st[r].targetScore, target = c.target
                                    // Vectorisable counting pass over every item, corrected below for
                                    // the (few) seen items and the target itself.
                                    let counts = Evaluator.count(row, width, relativeTo: counting ? t : .nan)
                                    var g = counts.greater, e = counts.equal
                                    if counting && ids.contains(target) && !t.isNaN { e -= 1 }
                                    if counts.nans > 0 {
                                        st[r].nanItem = ids.lowerBound + Int32((0..<width).first { row[$0].isNaN }!)
                                        continue
                                    }
                                    var cand = width
                                    for i in seenItems[r] where ids.contains(i) {
                                        cand -= 1
                                        if counting && i != target {
                                            let v = row[Int(i - ids.lowerBound)]
                                            if v > t { g -= 1 } else if v == t { e -= 1 }
                                        }
                                    }
                                    // Top-K pass: only candidates beating the current threshold.
                                    if pass == 0 {
                                        var threshold = st[r].selector.threshold
                                        for j in 0..<width where row[j] >= threshold {
                                            let id = ids.lowerBound + Int32(j)
                                            if seen[Int(id)] { continue }
                                            st[r].selector.offer(row[j], id)
                                            threshold = st[r].selector.threshold
                                        }
                                    }
                                    if counting {
                                        st[r].greater += g
                                        st[r].ties += e
                                    }
                                    if pass == 0 { st[r].candidates += cand }
                                }
                            }
                        }
                    }
                }
                if let r = state.firstIndex(where: { $0.nanItem != nil }) {
                    throw DataError(file: "scorer",
                                    "NaN score for user \(split.dataset.userIDs[cases[r].user]), item \(state[r].nanItem!)")
                }
            }
        }
        var full: [RankedCase] = [], sampled: [RankedCase] = []
        for r in 0..<rows {
            let st = state[r]
            let filtered = seenItems[r].contains(cases[r].target)
            full.append(RankedCase(target: cases[r].target, greater: st.greater, ties: st.ties, targetFiltered: filtered,
                                   candidates: st.candidates, top: st.selector.sorted(), targetScore: st.targetScore,
                                   logNormalizer: softmax ? st.lseMax + Float(log(st.lseSum)) : nil))
            if negatives != nil {
                var g = 0, e = 0
                for s in st.sampledScores {
                    if s > st.targetScore { g += 1 } else if s == st.targetScore { e += 1 }
                }
                sampled.append(RankedCase(target: cases[r].target, greater: g, ties: e, targetFiltered: filtered,
                                          candidates: st.sampledScores.count + 1, top: [], targetScore: st.targetScore))
            }
        }
        return (full, sampled)
    }

    /// Folds one block of scores into a streaming log Σ exp (max-shifted, so no overflow).
    static func accumulateLogSumExp(_ row: UnsafePointer<Float>, _ n: Int, _ runningMax: inout Float, _ sum: inout Double) {
        var m = -Float.infinity
        for j in 0..<n where row[j] > m { m = row[j] }
        guard m > -.infinity else { return }
        var s = 0.0
        for j in 0..<n { s += Double(exp(row[j] - m)) }
        if m > runningMax {
            sum = sum * Double(exp(runningMax - m)) + s
            runningMax = m
        } else {
            sum += s * Double(exp(m - runningMax))
        }
    }

    /// Items scoring above / exactly at `t`, and NaNs, in one branch-free pass with SIMD lanes
    /// (scalar Swift compiled to compare-and-branch per item here: 3× slower).
    @inline(never)
    static func count(_ row: UnsafePointer<Float>, _ n: Int, relativeTo t: Float) -> (greater: Int, equal: Int, nans: Int) {
        typealias V = SIMD8<Float>
        typealias I = SIMD8<Int32>
        let tv = V(repeating: t)
        let zero = I(repeating: 0), one = I(repeating: 1)
        var greater = 0, equal = 0, nans = 0
        var j = 0
        let raw = UnsafeRawPointer(row)
        while j + 8 <= n {
            var g = zero, e = zero, q = zero
            let end = Swift.min(n - (n - j) % 8, j + 8 * (1 << 20))
            while j < end {
                let v = raw.loadUnaligned(fromByteOffset: j * 4, as: V.self)
                g &+= zero.replacing(with: one, where: v .> tv)
                e &+= zero.replacing(with: one, where: v .== tv)
                q &+= zero.replacing(with: one, where: v .!= v)
                j += 8
            }
            greater += Int(g.wrappedSum()); equal += Int(e.wrappedSum()); nans += Int(q.wrappedSum())
        }
        while j < n {
            let v = row[j]
            if v > t { greater += 1 } else if v == t { equal += 1 } else if v != v { nans += 1 }
            j += 1
        }
        return (greater, equal, nans)
    }

    /// Ranks the cases and computes every metric per case and on average.
    public func evaluate(_ cases: [EvaluationCase], in split: DatasetSplit, scorer: any ItemScorer) throws -> EvaluationResult {
        let (ranked, sampledRanks) = try rankAll(cases, split, scorer,
                                                 sampledNegatives: sampled?.draw(cases, split: split))
        var perCase: [String: [Double]] = [:]
        for m in metrics { perCase[m.name] = ranked.map(m.value) }
        if sampled != nil {
            for m in metrics where !(m is ILD) && !(m is PCOUNT) {
                perCase["sampled-pop\(sampled!.negatives):" + m.name] = sampledRanks.map(m.value)
            }
        }
        let calibration = probability.map { Calibration(ranked: ranked, transform: $0) }
        return EvaluationResult(cases: cases, perCase: perCase,
                                filteredTargets: ranked.filter(\.targetFiltered).count,
                                protocolDescription: protocolDescription + "; split=" + split.protocolDescription,
                                calibration: calibration)
    }
}

/// Metrics of one evaluation: per-case vectors (for paired tests) and their means.
public struct EvaluationResult: Sendable, Codable {
    /// The evaluated cases, in the order of every per-case vector.
    public let cases: [EvaluationCase]
    /// Metric name → one value per case.
    public let perCase: [String: [Double]]
    /// Targets removed by the seen filter (they score 0 on every metric).
    public let filteredTargets: Int
    /// Candidates, sampler, seen filter, ties, metrics and split, in words.
    public let protocolDescription: String
    /// ECE and the probability/precision curve, when a probability transform was given.
    public let calibration: Calibration?

    /// Metric name → mean over cases.
    public var means: [String: Double] {
        perCase.mapValues { v in v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }
    }
}

extension EvaluationResult {
    /// nPCOUNT@K (thesis §8.7.4): this result's mean PCOUNT@K divided by the popularity
    /// recommender's on the same cases, so popularity scores 1 and lower means less bias.
    public func normalizedPCOUNT(k: Int, popularity reference: EvaluationResult) -> Double? {
        let key = "pcount@\(k)"
        guard let mine = means[key], let ref = reference.means[key], ref > 0 else { return nil }
        return mine / ref
    }
}
