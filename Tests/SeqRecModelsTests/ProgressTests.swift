import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels
import SeqRecObjectives
import Testing

/// The progress display: one line rewritten in place on a terminal, a line every N seconds
/// elsewhere; and the training statuses that feed it (step, rate, loss, validation, time left).
@Suite struct ProgressTests {
    /// A display writing into a buffer, driven by a hand-set clock.
    final class Capture: @unchecked Sendable {
        var text = ""
        var time = 0.0
        func display(terminal: Bool, interval: Double = 30) -> ProgressDisplay {
            ProgressDisplay(write: { self.text += $0 }, isTerminal: terminal, interval: interval, refreshesPerSecond: 4, now: { self.time })
        }
    }

    @Test func notOnATerminalAStatusLineIsPrintedAtMostEveryInterval() {
        let c = Capture()
        let d = c.display(terminal: false, interval: 30)
        for i in 0..<100 {          // 100 statuses over 99 seconds
            c.time = Double(i)
            d.status("step \(i)")
        }
        d.message("done")
        d.finish()
        // t = 0, 30, 60, 90, then the last status (99) when finished; the message in between.
        #expect(c.text == "step 0\nstep 30\nstep 60\nstep 90\ndone\nstep 99\n")
        #expect(!c.text.contains("\r") && !c.text.contains("\u{1B}"))
    }

    @Test func onATerminalOneLineIsRewrittenAndMessagesGoAboveIt() {
        let c = Capture()
        let d = c.display(terminal: true)
        d.status("a")
        c.time = 0.1
        d.status("b")             // within 1/4 s: not drawn
        c.time = 0.3
        d.status("c")
        d.message("note")
        c.time = 0.35
        d.status("e")             // throttled, drawn by finish
        d.finish()
        #expect(c.text == "\ra\u{1B}[K\rc\u{1B}[K\r\u{1B}[Knote\n\rc\u{1B}[K\re\u{1B}[K\n")
        #expect(c.text.filter { $0 == "\n" }.count == 2)
    }

    @Test func durationsReadAtAGlance() {
        #expect(ProgressDisplay.duration(42.4) == "42s")
        #expect(ProgressDisplay.duration(185) == "3m05s")
        #expect(ProgressDisplay.duration(3_725) == "1h02m")
        #expect(ProgressDisplay.duration(.nan) == "?")
    }

    @Test func trainingReportsEveryStepAndEveryValidationWithAnUpperBoundOfTheTimeLeft() throws {
        let split = try LeaveOneOut(validationUsers: 100).split(try SyntheticDataset(users: 300, items: 80, seed: 3).generate())
        let model = try SASRec(vocabularySize: split.dataset.vocabulary.size,
                               config: .init(maxLength: 12, dim: 16, blocks: 1, heads: 1, dropout: 0, seed: 1))
        var config = TrainingConfig()
        config.batchSize = 32
        config.batchesPerEpoch = 5
        config.maxEpochs = 3
        let collected = Events()
        _ = try Trainer(config: config).train(model, split: split, objective: shiftedObjective(try BCELoss(negatives: 1), items: 80),
                                              progress: { collected.events.append($0) })
        let statuses = collected.events.compactMap { e -> TrainingProgress? in if case .status(let p) = e { return p } else { return nil } }
        #expect(statuses.count == 3 * 5 + 3)      // every step, and after every validation
        #expect(statuses.map(\.step) == [1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 15, 15])
        #expect(statuses[0].bestValidation == nil && statuses[5].bestValidation != nil && statuses[5].lastValidation == statuses[5].bestValidation)
        #expect(statuses.allSatisfy { $0.stepsPerSecond > 0 && $0.loss.isFinite && $0.remainingSeconds != nil })
        #expect(statuses.last!.remainingSeconds == 0)      // every step of maxEpochs is done
        #expect(statuses[6].summary.hasPrefix("epoch 2 · step 6 · ") && statuses[6].summary.contains("left"))
    }

    @Test func theTimeLeftIsTheSmallerOfTheBudgetAndThePace() throws {
        var config = TrainingConfig()
        config.maxEpochs = 10
        config.batchesPerEpoch = 10
        config.wallClockSeconds = 100
        let trainer = try Trainer(config: config)
        // 20 of 100 steps in 10 s (0.5 s a step): 80 steps = 40 s, under the 90 s left of the
        // budget plus the one epoch (5 s) that may run past it.
        #expect(trainer.remaining(elapsed: 10, sessionSeconds: 10, sessionSteps: 20, steps: 20) == 40)
        // Resumed at 70 s of the budget: 30 s + at most one more epoch, sooner than the pace's 40 s.
        #expect(trainer.remaining(elapsed: 70, sessionSeconds: 10, sessionSteps: 20, steps: 20) == 35)
        // Past the budget in the middle of an epoch: the epoch still finishes (4 steps, 2 s).
        #expect(trainer.remaining(elapsed: 120, sessionSeconds: 10, sessionSteps: 20, steps: 20, stepsLeftInEpoch: 4) == 2)
        #expect(trainer.remaining(elapsed: 120, sessionSeconds: 10, sessionSteps: 20, steps: 20) == 0)
        config.wallClockSeconds = nil
        #expect(try Trainer(config: config).remaining(elapsed: 0, sessionSeconds: 0, sessionSteps: 0, steps: 0) == nil)
    }

    final class Events: @unchecked Sendable { var events: [TrainingEvent] = [] }
}
