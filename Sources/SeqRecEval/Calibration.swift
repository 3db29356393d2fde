import Foundation
import SeqRecCore
/// Calibration of predicted probabilities over each user's top list (thesis §5.3).
///
/// ECE (eq. 5.8, Naeini et al. 2015) = Σ_m |B_m|/n · |pos(B_m)/|B_m| − mean p(B_m)| over the
/// top-10 predictions of every user, with **10 equal-width bins** on [0, 1] (the thesis does not
/// state M; the authors' notebook used 5 for a plot). The curve gives, for K = 1…(list length),
/// mean Precision@K against the mean predicted probability of the top-K (Fig. 5.4).
public struct Calibration: Sendable, Codable, Equatable {
    public let bins: Int
    public let expectedCalibrationError: Double
    /// K = 1… : mean Precision@K.
    public let precisionAtK: [Double]
    /// K = 1… : mean predicted probability of the top-K.
    public let meanProbabilityAtK: [Double]

    /// With a model's probability transform: σ(score), or the softmax through each case's
    /// `logNormalizer` (the evaluator computes it when asked for `.softmax`).
    public init(ranked: [RankedCase], transform: ProbabilityTransform, bins: Int = 10, eceDepth: Int = 10) {
        switch transform {
        case .sigmoid:
            self.init(ranked: ranked, caseProbability: { _, s in 1 / (1 + exp(-Double(s))) }, bins: bins, eceDepth: eceDepth)
        case .softmax:
            self.init(ranked: ranked, caseProbability: { c, s in
                c.logNormalizer.map { exp(Double(s) - Double($0)) } ?? .nan
            }, bins: bins, eceDepth: eceDepth)
        }
    }

    public init(ranked: [RankedCase], probability: (Float) -> Double, bins: Int = 10, eceDepth: Int = 10) {
        self.init(ranked: ranked, caseProbability: { _, s in probability(s) }, bins: bins, eceDepth: eceDepth)
    }

    /// The probability of a listed item from its case and score.
    public init(ranked: [RankedCase], caseProbability probability: (RankedCase, Float) -> Double, bins: Int = 10, eceDepth: Int = 10) {
        self.bins = bins
        var count = [Int](repeating: 0, count: bins), pos = [Int](repeating: 0, count: bins)
        var sumP = [Double](repeating: 0, count: bins)
        var n = 0
        let depth = ranked.map { $0.top.count }.max() ?? 0
        var prec = [Double](repeating: 0, count: depth), meanP = [Double](repeating: 0, count: depth)
        for c in ranked {
            var hits = 0, psum = 0.0
            for (i, s) in c.top.enumerated() {
                let p = Swift.min(1, Swift.max(0, probability(c, s.score)))
                let rel = s.item == c.target && !c.targetFiltered
                if i < eceDepth {
                    let b = Swift.min(bins - 1, Int(p * Double(bins)))
                    count[b] += 1
                    sumP[b] += p
                    if rel { pos[b] += 1 }
                    n += 1
                }
                if rel { hits += 1 }
                psum += p
                prec[i] += Double(hits) / Double(i + 1)
                meanP[i] += psum / Double(i + 1)
            }
        }
        var ece = 0.0
        for b in 0..<bins where count[b] > 0 {
            ece += Double(count[b]) / Double(n) * Swift.abs(Double(pos[b]) / Double(count[b]) - sumP[b] / Double(count[b]))
        }
        expectedCalibrationError = ece
        let users = Double(Swift.max(ranked.count, 1))
        precisionAtK = prec.map { $0 / users }
        meanProbabilityAtK = meanP.map { $0 / users }
    }
}
