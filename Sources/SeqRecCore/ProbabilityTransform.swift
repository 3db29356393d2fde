/// How a model's score becomes the predicted probability that the item is the next one
/// (thesis §5.3, calibration): σ(s) for models trained with BCE or gBCE (eq. 5.9 makes σ(s) a
/// calibrated probability at t = 1), the softmax over the catalogue, exp(s − log Σⱼ exp sⱼ),
/// for models trained with (sampled) softmax. Losses without a pointwise probability (BPR,
/// LambdaRank) have none.
public enum ProbabilityTransform: String, Sendable, Codable, CaseIterable {
    case sigmoid, softmax
}
