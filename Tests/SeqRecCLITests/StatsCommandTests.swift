import Foundation
import SeqRecCLI
import Testing

@Suite struct StatsCommandTests {
    func tempFile(_ text: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-cli-\(UUID().uuidString).txt").path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func printsTable21RowExactly() throws {
        let path = tempFile("1 1\n1 2\n2 2\n2 3\n2 1\n")
        let cmd = try StatsCommand.parse([path, "--name", "toy"])
        let out = try cmd.render()
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0] == "| Dataset | Users | Items | Interactions | Mean Length | Median Length | Long Tail % |")
        #expect(lines[2] == "| toy | 2 | 3 | 5 | 2.50 | 2.5 | 100.00% |")
        #expect(lines[3].hasPrefix("fingerprint: 2u-3i-5x-"))
    }

    @Test func writesJSONAtomically() throws {
        let path = tempFile("1 1\n1 2\n")
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-cli-\(UUID().uuidString)/stats.json").path
        _ = try StatsCommand.parse([path, "--json", json]).render()
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        #expect((obj["statistics"] as! [String: Any])["interactions"] as! Int == 2)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (json as NSString).deletingLastPathComponent)
        #expect(leftovers == ["stats.json"])
    }

    @Test func rejectsUnknownFormatNamingTheChoices() {
        #expect(throws: (any Error).self) { try StatsCommand.parse(["x", "--format", "parquet"]) }
        do {
            _ = try StatsCommand.parse(["x", "--format", "parquet"])
        } catch {
            #expect(StatsCommand.message(for: error).contains("unknown format `parquet`; valid: user-item, grouplens"))
        }
    }

    @Test func malformedFileIsAnErrorWithFileAndLine() throws {
        let path = tempFile("1 1\n1\n")
        #expect(throws: (any Error).self) { try StatsCommand.parse([path]).render() }
        do { _ = try StatsCommand.parse([path]).render() } catch {
            #expect("\(error)" == "\(path):2: expected 2 fields `user item`, found 1")
        }
    }
}

@Suite struct BaselinesCommandTests {
    @Test func evaluatesTheThreeBaselinesOnTheSyntheticDefault() throws {
        let out = try BaselinesCommand.parse(["--factors", "8", "--epochs", "2"]).render()
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("dataset: synthetic (2000u-500i-"))
        #expect(lines[1].contains("candidates=full catalogue; seen filter=on"))
        #expect(lines.contains("| Model | ndcg@10 | recall@1 | recall@10 | mrr |"))
        #expect(lines.contains { $0.hasPrefix("| Popularity | ") } && lines.contains { $0.hasPrefix("| MarkovChain") }
                && lines.contains { $0.hasPrefix("| MF-BPR(8) | ") })
    }
}
