import Foundation
import SeqRecCLI
import SeqRecData
import Testing

/// train → evaluate → recommend through the command line, on a small synthetic dataset file.
@Suite(.serialized) struct ModelCommandTests {
    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-cli-model-\(UUID().uuidString)").path

    static func write(_ name: String, _ text: String) -> String {
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A `user item` file with planted "next = previous + 1" transitions over items 100…139.
    static let data: String = {
        var lines: [String] = []
        for u in 0..<150 {
            let start = u % 40
            for j in 0..<12 { lines.append("u\(u) \(100 + (start + j) % 40)") }
        }
        return write("data.txt", lines.joined(separator: "\n") + "\n")
    }()

    static let config = write("config.json", """
        {"model": {"maxLength": 10, "dim": 16, "blocks": 1, "dropout": 0.1},
         "loss": {"id": "gbce", "negatives": 8, "t": 0.5},
         "training": {"batchSize": 32, "batchesPerEpoch": 10, "maxEpochs": 25, "learningRate": 0.01}}
        """)

    static let run: String = {
        let out = dir + "/run"
        var cmd = try! TrainCommand.parse([data, "--config", config, "--out", out, "--quiet", "--validation-users", "50"])
        try! cmd.run()
        return out
    }()

    @Test func trainWritesCheckpointLogAndResult() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.run).sorted()
        #expect(files == ["log.jsonl", "model.safetensors", "result.json", "training-state.safetensors"])
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.run + "/result.json"))) as! [String: Any]
        let test = result["test"] as! [String: Double]
        #expect(test["ndcg@10"]! > 0.5, "\(test)")   // the planted transition is easy
        #expect((result["environment"] as! [String: Any])["threads"] as? Int != nil)
    }

    @Test func evaluateReproducesTheTrainingRunsTestMetrics() throws {
        let out = try EvaluateCommand.parse(["--checkpoint", Self.run, Self.data, "--validation-users", "50"]).render()
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.run + "/result.json"))) as! [String: Any]
        let ndcg = (result["test"] as! [String: Double])["ndcg@10"]!
        #expect(out.contains("| " + String(format: "%.4f", ndcg) + " |"))
    }

    /// Selected metrics: ECE through the model's own loss (gBCE: σ of the score), ILD from a
    /// genres file, nPCOUNT against Popularity; a genres file of another dataset is an error.
    @Test func evaluateComputesSelectedBeyondAccuracyMetrics() throws {
        let genres = Self.write("genres.tsv", "item\tgenres\n" + (100..<140).map { "\($0)\t\($0 % 2 == 0 ? "A|B" : "C")" }.joined(separator: "\n") + "\n")
        let out = try EvaluateCommand.parse(["--checkpoint", Self.run, Self.data, "--validation-users", "50",
                                             "--metrics", "ndcg@10,ild@10,npcount@10,ece", "--genres", genres]).render()
        #expect(out.contains("| Model | ndcg@10 | ild@10 | npcount@10 | ece |"))
        #expect(out.contains("calibration (sigmoid of the score, top-10, 10 bins): ECE "))
        let row = try #require(out.split(separator: "\n").first { $0.hasPrefix("| model |") })
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells.count == 5)
        let ild = try #require(Double(cells[2])), ece = try #require(Double(cells[4]))
        #expect(ild > 0 && ild <= 1 && ece >= 0 && ece <= 1)
        let other = Self.write("other-genres.tsv", (1..<40).map { "\($0)\tA" }.joined(separator: "\n") + "\n")
        do {
            _ = try EvaluateCommand.parse(["--checkpoint", Self.run, Self.data, "--metrics", "ild@10", "--genres", other]).render()
            Issue.record("accepted another dataset's genres")
        } catch { #expect("\(error)".contains("other-genres.tsv") && "\(error)".contains("does not describe this dataset's items")) }
    }

    @Test func evaluateOnOtherDataIsAnError() throws {
        let other = Self.write("other.txt", "a 1\na 2\nb 2\nb 3\nc 1\nc 3\n")
        do {
            _ = try EvaluateCommand.parse(["--checkpoint", Self.run, other]).render()
            Issue.record("evaluated on other data")
        } catch { #expect("\(error)".contains("trained on dataset")) }
    }

    @Test func recommendFollowsThePlantedTransitionInExternalIDs() throws {
        let out = try RecommendCommand.parse(["--checkpoint", Self.run, "--items", "110 111 112", "-k", "3"]).render()
        let lines = out.split(separator: "\n")
        #expect(lines[0] == "user,rank,item,score" && lines.count == 4)
        #expect(lines[1].hasPrefix("input,1,113,"))
        // Batch form; a history never seen in training; unknown ids are errors naming file:line.
        let batch = Self.write("histories.csv", "user,item\nx,120\nx,121\ny,105\n")
        let two = try RecommendCommand.parse(["--checkpoint", Self.run, "--input", batch, "-k", "1"]).render()
        #expect(two.contains("x,1,122,") && two.contains("y,1,106,"))
        let bad = Self.write("bad.csv", "x,120\nx,999\n")
        do {
            _ = try RecommendCommand.parse(["--checkpoint", Self.run, "--input", bad]).render()
            Issue.record("accepted an unknown item")
        } catch { #expect("\(error)".contains("bad.csv:2: item `999` is not in the model's vocabulary")) }
    }

    @Test func invalidConfigsAreRejectedBeforeTrainingAndWriteNothing() throws {
        let bad = Self.write("bad.json", #"{"loss": {"negatives": 500}}"#)
        let out = Self.dir + "/never"
        do {
            let cmd = try TrainCommand.parse([Self.data, "--config", bad, "--out", out, "--quiet"])
            try cmd.run()
            Issue.record("trained with k > catalogue")
        } catch { #expect("\(error)".contains("loss.negatives = 500 is outside the allowed range [1, 39]")) }
        #expect(!FileManager.default.fileExists(atPath: out))
        let typo = Self.write("typo.json", #"{"training": {"epochs": 3}}"#)
        do {
            let cmd = try TrainCommand.parse([Self.data, "--config", typo, "--out", out, "--quiet"])
            try cmd.run()
            Issue.record("accepted an unknown key")
        } catch { #expect("\(error)".contains("unknown key `epochs` in config.training")) }
    }

    /// `seqrec plot` on the trained run: one SVG per curve, a series per run, the best epoch
    /// as logged; a malformed log line is an error naming file and line.
    @Test func plotDrawsLearningCurvesFromTheLog() throws {
        let out = Self.dir + "/plots"
        let text = try PlotCommand.parse([Self.run, Self.run + "/log.jsonl", "--labels", "a,b", "--out", out, "--log-y"]).render()
        let log = try String(contentsOfFile: Self.run + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(text.contains("| a | \(log.count) |") && text.contains("wrote \(out)/learning-ndcg.svg") && text.contains("learning-grad-norm.svg"))
        for curve in ["ndcg", "grad-norm"] {
            let svg = try String(contentsOfFile: out + "/learning-\(curve).svg", encoding: .utf8)
            #expect(svg.components(separatedBy: "<g class=\"series\"").count - 1 == 2 && svg.contains("data-name=\"b\""))
        }
        try FileManager.default.createDirectory(atPath: Self.dir + "/broken", withIntermediateDirectories: true)
        let broken = Self.write("broken/log.jsonl", String(log[0]) + "\n{\"epoch\": 2}\n")
        do { _ = try PlotCommand.parse([broken, "--out", out]).render(); Issue.record("plotted a broken log") } catch {
            #expect("\(error)".contains("broken/log.jsonl:2: not an epoch record"))
        }
        #expect(throws: (any Error).self) { _ = try PlotCommand.parse([Self.run, "--curves", "ndcg,accuracy"]) }
        do { _ = try PlotCommand.parse([Self.dir, "--out", out]).render(); Issue.record("plotted a directory without a log") } catch {
            #expect("\(error)".contains("no log.jsonl"))
        }
    }

    @Test func compareRunsPairedTestsOverTheSameUsers() throws {
        let out = try CompareCommand.parse([Self.run, Self.run + "/result.json"]).render()
        #expect(out.contains("paired t-test, Bonferroni over 3 comparisons"))
        let lines = out.split(separator: "\n")
        #expect(!lines[4].contains("†"))   // a run against itself is never significantly different
        #expect(lines.count == 5 && lines[4].contains("gbce(negatives 8, t 0.5)"))
    }

    @Test func datasetsWithoutTrainableSequencesAreClearErrors() throws {
        let single = Self.write("single.txt", (0..<30).map { "u\($0) \($0 % 20)" }.joined(separator: "\n") + "\n")
        let out = Self.dir + "/single-run"
        do {
            let cmd = try TrainCommand.parse([single, "--config", Self.config, "--out", out, "--quiet"])
            try cmd.run()
            Issue.record("trained on one-item sequences")
        } catch { #expect("\(error)".contains("no user has 2 training items")) }
        #expect(!FileManager.default.fileExists(atPath: out + "/model.safetensors"))
        // A corrupt checkpoint names the file.
        let corrupt = Self.write("corrupt.safetensors", "not a checkpoint")
        do {
            _ = try RecommendCommand.parse(["--checkpoint", corrupt, "--items", "110"]).render()
            Issue.record("read a corrupt checkpoint")
        } catch { #expect("\(error)".contains("corrupt.safetensors: header length")) }
    }
}
