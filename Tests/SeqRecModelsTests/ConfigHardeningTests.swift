import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels
import Testing

/// Config values a generic JSON decoder rejects without naming the key, values that would abort
/// on allocation, and runs that diverge at once: each is an error naming the key (or saying
/// what happened), and nothing is written.
@Suite struct ConfigHardeningTests {
    func message(_ json: String) -> String {
        do {
            let config = try RunConfig.decode(Data(json.utf8), source: "c.json")
            try config.validate(catalogueSize: 1_000)
            return "valid"
        } catch { return "\(error)" }
    }

    @Test func wronglyTypedNumbersNameTheKey() {
        #expect(message(#"{"model": {"dim": 1.5}}"#).contains("`config.model.dim`: expected an integer in [-2^63, 2^63 - 1], got 1.5"))
        #expect(message(#"{"training": {"seed": -1}}"#).contains("`config.training.seed`: expected an integer in [0, 2^64 - 1], got -1"))
        #expect(message(#"{"model": {"seed": -3}}"#).contains("`config.model.seed`: expected an integer in [0,"))
        #expect(message(#"{"training": {"batchSize": 99999999999999999999}}"#).contains("`config.training.batchSize`: expected an integer"))
        #expect(message(#"{"model": {"dim": 1e300}}"#).contains("`config.model.dim`: expected an integer"))
        let overflow = message(#"{"training": {"learningRate": 1e999}}"#)
        #expect(overflow == "c.json: invalid value for `config`: not valid JSON (the number `1e999` on line 1 is too large (a 64-bit float's largest is ~1.8e308))")
    }

    @Test func nullIsAnErrorExceptForOptionalSettings() {
        #expect(message(#"{"model": {"dim": null}}"#).contains("`config.model.dim`: null is not allowed"))
        #expect(message(#"{"training": {"patience": null}}"#).contains("`config.training.patience`: null is not allowed"))
        #expect(message(#"{"training": {"wallClockSeconds": null}}"#) == "valid")
    }

    @Test func absurdSizesAreRangeOrMemoryErrors() {
        #expect(message(#"{"model": {"maxLength": 100000000}}"#).contains("model.maxLength = 100000000 is outside the allowed range [1, 65536]"))
        #expect(message(#"{"training": {"batchSize": 100000000}}"#).contains("training.batchSize = 100000000 is outside the allowed range [1, 1048576]"))
        #expect(message(#"{"model": {"blocks": 5000}}"#).contains("model.blocks = 5000 is outside the allowed range [1, 1024]"))
        let memory = message(#"{"model": {"dim": 60000, "blocks": 1000, "heads": 1}}"#)
        #expect(memory.contains("model.dim 60000") && memory.contains("needs about") && memory.contains("this machine has"), "\(memory)")
    }

    @Test func aRunThatCannotFitWritesNothing() throws {
        let split = try LeaveOneOut(validationUsers: 20).split(try SyntheticDataset(users: 60, items: 40, seed: 1).generate())
        var config = RunConfig()
        try config.editModel(SASRec.Config.self) { $0.dim = 60_000; $0.blocks = 1_000 }
        config.loss = .gbce(negatives: 4, t: 0.5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-never-\(UUID().uuidString)").path
        #expect(throws: MemoryBudgetError.self) { try TrainingRun(config: config, split: split, dataset: "s", directory: dir).run() }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func aRunThatDivergesBeforeItsFirstEpochFailsAndWritesNoResult() throws {
        let split = try LeaveOneOut(validationUsers: 20).split(try SyntheticDataset(users: 60, items: 40, seed: 1).generate())
        var config = RunConfig()
        try config.editModel(SASRec.Config.self) { $0.dim = 8; $0.maxLength = 10; $0.blocks = 1 }
        config.loss = .gbce(negatives: 4, t: 0.5)
        config.training.learningRate = 1e30
        config.training.batchSize = 16
        config.training.batchesPerEpoch = 20
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-diverge-\(UUID().uuidString)").path
        do {
            _ = try TrainingRun(config: config, split: split, dataset: "s", directory: dir).run()
            Issue.record("a diverged run reported success")
        } catch let e as TrainingDiverged {
            #expect(e.description.contains("no model was trained and no result was written"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/result.json"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/model.safetensors"))
    }

    /// The run configs the README and the experiment READMEs tell users to pass to `seqrec train`
    /// must pass the strict decoder (a stale key once made `experiments/gsasrec-port/sasrec.json` fail).
    @Test func committedRunConfigsLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var checked = 0
        for folder in ["gsasrec-port", "bert4rec", "recjpq"] {
            let dir = root.appendingPathComponent("experiments/\(folder)")
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where name.hasSuffix(".json") {
                let config = try RunConfig.load(path: dir.appendingPathComponent(name).path)
                try config.validate(catalogueSize: 3_416)
                checked += 1
            }
        }
        #expect(checked >= 9)
    }
}
