import Foundation
import SeqRecCore

/// What a running training reports: permanent messages (resuming, divergence, warnings) and a
/// status after every step and every validation, for a progress display to throttle.
public enum TrainingEvent: Sendable {
    case message(String)
    case status(TrainingProgress)

    /// The event as one line of text.
    public var text: String {
        switch self {
        case .message(let m): return m
        case .status(let p): return p.summary
        }
    }
}

/// A snapshot of a running training: where it is, how fast it goes, how well it does, and how
/// long it can still take.
public struct TrainingProgress: Sendable, Equatable {
    /// The epoch in progress (or just validated).
    public var epoch: Int
    /// Optimiser steps so far, over all sessions of a resumed run.
    public var step: Int
    /// Steps per second in the current epoch (training only).
    public var stepsPerSecond: Double
    /// Mean loss of the current epoch so far.
    public var loss: Double
    /// Validation NDCG@10 of the last validated epoch, nil before the first.
    public var lastValidation: Double?
    /// Best validation NDCG@10 so far and its epoch, nil before the first validation.
    public var bestValidation: Double?
    public var bestEpoch: Int
    /// Training wall clock so far, over all sessions.
    public var elapsedSeconds: Double
    /// An upper bound of the time left: the smaller of the wall-clock budget left and the steps
    /// left to `maxEpochs` at this session's pace (validation included); early stopping by
    /// patience can end the run sooner. Nil when neither bound is known yet.
    public var remainingSeconds: Double?

    /// "epoch 7 · step 634 · 3.39 steps/s · loss 0.3127 · val NDCG@10 0.1189 (best 0.1189 @ 6) · 4m12s · ≤ 15m48s left"
    public var summary: String {
        var parts = ["epoch \(epoch)", "step \(step)", String(format: "%.2f steps/s", stepsPerSecond), String(format: "loss %.4f", loss)]
        if let best = bestValidation {
            parts.append("val NDCG@10 " + (lastValidation.map { String(format: "%.4f", $0) } ?? "–")
                         + String(format: " (best %.4f @ %d)", best, bestEpoch))
        }
        parts.append(ProgressDisplay.duration(elapsedSeconds))
        if let r = remainingSeconds { parts.append("≤ " + ProgressDisplay.duration(r) + " left") }
        return parts.joined(separator: " · ")
    }
}

extension ProgressDisplay {
    /// Shows a training event: messages as lines, statuses as the (throttled) status line.
    public func show(_ event: TrainingEvent, prefix: String = "") {
        switch event {
        case .message(let m): message(prefix + m)
        case .status(let p): status(prefix + p.summary)
        }
    }
}
