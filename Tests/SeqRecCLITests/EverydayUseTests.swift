import Foundation
import SeqRecCLI
import SeqRecData
import Testing

/// Everyday commands: recommendations for a dataset's user, JSON outputs with external ids and
/// a flat documented shape.
@Suite(.serialized) struct EverydayUseTests {
    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// `--user u7` is the same as giving u7's whole sequence by hand.
    @Test func recommendForADatasetUserUsesTheUsersWholeHistory() throws {
        let history = (0..<12).map { String(100 + (7 + $0) % 40) }.joined(separator: " ")   // u7's lines in data.txt
        let byHand = try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--items", history, "-k", "3"]).render()
        let byUser = try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--user", "u7", ModelCommandTests.data, "-k", "3"]).render()
        #expect(byUser == byHand.replacingOccurrences(of: "input,", with: "u7,"))
        #expect(byUser.split(separator: "\n").count == 4)
        let two = try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--user", "u7", "--user", "u8", ModelCommandTests.data, "-k", "2"]).render()
        #expect(two.split(separator: "\n").map { $0.split(separator: ",")[0] } == ["user", "u7", "u7", "u8", "u8"])
        do {
            _ = try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--user", "nobody", ModelCommandTests.data]).render()
            Issue.record("recommended for an unknown user")
        } catch let e as DataError { #expect("\(e)".contains("no user `nobody`") && "\(e)".contains("150 users")) }
        #expect(throws: (any Error).self) { try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--items", "100", ModelCommandTests.data]) }
        #expect(throws: (any Error).self) { try RecommendCommand.parse(["--checkpoint", ModelCommandTests.run, "--items", "100", "--user", "u1"]) }
    }

    @Test func evaluateJSONNamesUsersAndItemsByTheirExternalIDs() throws {
        let path = ModelCommandTests.dir + "/evaluate.json"
        _ = try EvaluateCommand.parse(["--checkpoint", ModelCommandTests.run, ModelCommandTests.data, "--validation-users", "50", "--json", path]).render()
        let j = try Self.json(path)
        #expect(j["schema"] as? String == "seqrec-evaluate/1" && j["cases"] as? String == "test")
        let users = j["users"] as! [String], targets = j["targets"] as! [String], lengths = j["historyLengths"] as! [Int]
        #expect(users.count == 150 && Set(users).count == 150 && users.allSatisfy { $0.hasPrefix("u") })
        // Leave-one-out: the target is the user's last item, after 11 history items.
        let u3 = try #require(users.firstIndex(of: "u3"))
        #expect(targets[u3] == String(100 + (3 + 11) % 40) && lengths[u3] == 11)
        let perCase = j["perCase"] as! [String: [Double]], metrics = j["metrics"] as! [String: Double]
        let ndcg = try #require(perCase["ndcg@10"])
        #expect(ndcg.count == 150 && abs(ndcg.reduce(0, +) / 150 - metrics["ndcg@10"]!) < 1e-12)
        // The standard error is sd / √n of the per-case vector (recall@1 varies on this data).
        let recall = try #require(perCase["recall@1"])
        let mean = recall.reduce(0, +) / 150
        let sd = (recall.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 149).squareRoot()
        let se = (j["standardErrors"] as! [String: Double])["recall@1"]!
        #expect(abs(se - sd / 150.0.squareRoot()) < 1e-12)
    }

    @Test func baselinesJSONIsOneFlatRowPerModel() throws {
        let path = ModelCommandTests.dir + "/baselines.json"
        let text = try BaselinesCommand.parse([ModelCommandTests.data, "--epochs", "2", "--factors", "8", "--json", path]).render()
        let j = try Self.json(path)
        #expect(j["schema"] as? String == "seqrec-baselines/1" && j["testCases"] as? Int == 150)
        let rows = j["rows"] as! [[String: Any]]
        #expect(rows.map { $0["model"] as! String }.first == "Popularity" && rows.count == 3)
        for row in rows {
            #expect(row.values.allSatisfy { $0 is String || $0 is Double || $0 is Int }, "nested value in \(row)")
            let ndcg = row["ndcg@10"] as! Double
            #expect(text.contains(String(format: "%.4f", ndcg)) && row["ndcg@10 se"] is Double)
        }
    }

    /// Without --validation-users a small dataset validates on every user (not a 512 sample).
    @Test func validationUsesEveryUserOfASmallDataset() throws {
        let out = try EvaluateCommand.parse(["--checkpoint", ModelCommandTests.run, ModelCommandTests.data, "--cases", "validation"]).render()
        #expect(out.contains("; 150 validation cases;"), "\(out)")
        let sampled = try EvaluateCommand.parse(["--checkpoint", ModelCommandTests.run, ModelCommandTests.data, "--cases", "validation",
                                                 "--validation-users", "40"]).render()
        #expect(sampled.contains("; 40 validation cases;"))
        let split = try LeaveOneOut(validationUsers: 10_000).split(try SyntheticDataset(users: 300, items: 50, seed: 1).generate())
        #expect(split.protocolDescription.contains("second-to-last item on all users"))
    }
}
