import Foundation
import SeqRecCLI
import SeqRecData
import SeqRecModels
import SeqRecTensor
import Testing

/// Everyday inputs that used to give a wrong answer in silence: CRLF and byte-order marks in
/// history files, NaN weights, `--resume` on an empty directory, a tab written as `\t`.
@Suite struct CLIHardeningTests {
    @Test func recommendReadsCRLFAndByteOrderMarkedHistories() throws {
        let unix = ModelCommandTests.write("h-unix.csv", "user,item\nx,120\nx,121\ny,105\n")
        let windows = ModelCommandTests.write("h-crlf.csv", "\u{FEFF}user,item\r\nx,120\r\nx,121\r\ny,105\r\n")
        let a = try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--input", unix, "-k", "2"]).render()
        let b = try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--input", windows, "-k", "2"]).render()
        #expect(a == b && a.contains("x,1,122,"))
        let full = try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--input", unix, "-k", "1", "--full-precision"]).render()
        let score = full.split(separator: "\n")[1].split(separator: ",")[3]
        #expect(Float(String(score)) != nil && score.filter(\.isNumber).count >= 7, "\(score)")
    }

    @Test func recommendRefusesNaNWeights() throws {
        let checkpoint = try ModelCheckpoint.load(path: ModelCommandTests.run + "/model.safetensors")
        let p = checkpoint.model.parameters[0]
        p.value = Tensor(shape: p.value.shape, scalars: [Float](repeating: .nan, count: p.value.count))
        let dir = ModelCommandTests.dir + "/nan-run"
        try ModelCheckpoint.save(checkpoint.model, metadata: checkpoint.metadata, to: dir + "/model.safetensors")
        do {
            _ = try RecommendCommand.parse(["--checkpoint", dir, "--items", "110 111"]).render()
            Issue.record("printed NaN scores")
        } catch { #expect("\(error)".contains("nan-run: the model's scores are not finite (NaN score for user")) }
    }

    @Test func resumeOnAnEmptyDirectoryIsAnError() throws {
        let empty = ModelCommandTests.dir + "/empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        do {
            let cmd = try TrainCommand.parse([ModelCommandTests.data, "--config", ModelCommandTests.config, "--out", empty, "--resume", "--quiet"])
            try cmd.run()
            Issue.record("resumed nothing")
        } catch { #expect("\(error)".contains("holds no run to resume")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
    }

    @Test func tabSeparatorsAndIndexColumnsAreUnderstood() throws {
        let tsv = ModelCommandTests.write("d.tsv", "u1\t10\nu1\t11\nu2\t10\n")
        let out = try StatsCommand.parse([tsv, "--format", "delimited", "--no-header", "--separator", "\\t",
                                          "--user-column", "0", "--item-column", "1"]).render()
        #expect(out.contains("| 2 | 2 | 3 |"), "\(out)")
        #expect(throws: (any Error).self) {
            try StatsCommand.parse([tsv, "--format", "delimited", "--no-header", "--user-column", "user", "--item-column", "1"])
        }
    }
}
