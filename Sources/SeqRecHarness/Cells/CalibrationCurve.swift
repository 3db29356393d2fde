import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval
import SeqRecModels
import SeqRecObjectives

/// Fig. 5.4: mean Precision@K against the mean predicted probability of the top-K, K = 1…depth,
/// with Theorem 5.5.1's prediction σ(sᵢ) = βP(i) / (α − αP(i) + βP(i)) (eq. 5.11) for models
/// trained with sampled negatives (BCE: β = 1; gBCE: β from t), P read as Precision (Cormack et
/// al.'s interpretation the thesis uses). Computed for training specs with a `calibration` figure.
enum CalibrationCurve {
    /// Table metrics the curve provides.
    static let metrics = ["ece", "mean probability@1", "mean probability@10"]

    /// The curve's depth when the spec draws one.
    static func depth(_ spec: ExperimentSpec) -> Int? {
        spec.allFigures.first { $0.kind == "calibration" }.map { $0.depth ?? 100 }
    }

    static func compute(depth: Int, split: DatasetSplit, scorer: any ItemScorer, loss: any Loss, catalogue: Int)
        throws -> (curves: [String: [Double]], metrics: [String: Double]) {
        guard let transform = loss.probability else { return ([:], [:]) }   // no probabilities: no curve, "–" in the table
        let r = try Evaluator(metrics: [Precision(k: 1)], listLength: depth, probability: transform).evaluate(split.test, in: split, scorer: scorer)
        guard let c = r.calibration else { return ([:], [:]) }
        var curves = ["probability@K": c.meanProbabilityAtK, "precision@K": c.precisionAtK]
        var ab: (alpha: Double, beta: Double)? = nil
        if let g = loss as? GBCELoss { ab = (g.alpha, g.beta) }
        if let b = loss as? BCELoss { ab = (Double(b.negatives) / Double(catalogue - 1), 1) }
        if let (a, b) = ab {
            let ps = (0...100).map { Double($0) / 100 }
            curves["theory precision"] = ps
            curves["theory probability"] = ps.map { p in b * p / (a - a * p + b * p) }
        }
        var metrics = ["ece": c.expectedCalibrationError]
        if let p1 = c.meanProbabilityAtK.first { metrics["mean probability@1"] = p1 }
        if c.meanProbabilityAtK.count >= 10 { metrics["mean probability@10"] = c.meanProbabilityAtK[9] }
        return (curves, metrics)
    }
}
