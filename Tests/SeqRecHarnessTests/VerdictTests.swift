import Foundation
import SeqRecCore
import SeqRecData
import SeqRecHarness
import Testing

/// A published value for the rule tests.
private func published(_ value: Double, metric: String = "ndcg@10", rule: String? = nil, printed: String? = nil,
                       factor: Double? = nil, tolerance: Double? = nil, absolute: Double? = nil) -> ExperimentSpec.Published {
    ExperimentSpec.Published(row: "r", metric: metric, value: value, source: "test", rule: rule, tolerance: tolerance,
                             absoluteTolerance: absolute, printed: printed, factor: factor, note: nil, dataset: nil)
}

/// A user-item file (a real-format dataset, so published values are shown beside it) written
/// from the synthetic generator into `root/data.txt`.
private func writeUserItemFile(root: String) throws {
    let d = try SyntheticDataset(users: 300, items: 60, meanLength: 12, seed: 4).generate()
    var text = ""
    for u in 0..<d.userCount { for i in d.sequence(u) { text += "\(d.userIDs[u]) \(i)\n" } }
    try text.write(toFile: root + "/data.txt", atomically: true, encoding: .utf8)
}

private func spec(published: String, checks: String = "[]") -> String {
    """
    {"id": "toy", "title": "toy", "kind": "training", "source": "made up",
     "datasets": [{"name": "file", "path": "data.txt", "format": "user-item", "validationUsers": 50}],
     "metrics": ["ndcg@10", "recall@10"],
     "scales": {"smoke": {"description": "tiny", "compare": true, "expectedMinutes": 0.1}},
     "rows": [{"id": "popularity", "group": "popularity"}, {"id": "random", "group": "popularity"}],
     "published": \(published), "checks": \(checks)}
    """
}

@Suite struct VerdictTests {
    /// Hand-computed bands: 2·SE plus half a unit of the printed precision.
    @Test func standardErrorRuleUsesTwoStandardErrorsAndThePrintedRounding() throws {
        // ours 0.110, SE 0.010, printed 0.128 (3 decimals): band 0.02 + 0.0005 = 0.0205.
        let within = try #require(VerdictRule.judge(published(0.128), ours: 0.110, standardError: 0.010, hasStandardError: true))
        #expect(within.passed && within.band == "2 SE (±0.0205)")
        #expect(VerdictRule.judge(published(0.1306), ours: 0.110, standardError: 0.010, hasStandardError: true)?.passed == false)   // band 0.02005
        #expect(VerdictRule.judge(published(0.1300, printed: "0.1300"), ours: 0.110, standardError: 0.010, hasStandardError: true)?.passed == true)
        // No standard error recorded: never "within".
        #expect(VerdictRule.judge(published(0.11), ours: 0.11, standardError: nil, hasStandardError: true)?.passed == false)
        #expect(VerdictRule.judge(published(0.11, rule: "reference"), ours: 0.5, standardError: 0.01, hasStandardError: true) == nil)
    }

    @Test func deterministicRulesCompareAtThePrintedPrecision() throws {
        // Gowalla: 1,280,969 × 2,048 B = 2,501.89 MB = 2.4433 GB, printed 2.44 GB.
        let mb = 1_280_969.0 * 2048 / 1_048_576
        #expect(VerdictRule.judge(published(2.44, metric: "baseMB", rule: "exact", printed: "2.44 GB", factor: 1.0 / 1024),
                                  ours: mb, standardError: nil, hasStandardError: false)?.passed == true)
        #expect(VerdictRule.judge(published(2.45, metric: "baseMB", rule: "exact", printed: "2.45 GB", factor: 1.0 / 1024),
                                  ours: mb, standardError: nil, hasStandardError: false)?.passed == false)
        // 0.03997 % printed as 0.040 %: equal at 3 decimals, not at 5.
        #expect(VerdictRule.judge(published(0.04, metric: "m", rule: "exact", printed: "0.040%"), ours: 0.03997, standardError: nil,
                                  hasStandardError: false)?.passed == true)
        #expect(VerdictRule.judge(published(0.04, metric: "m", rule: "exact", printed: "0.04000%"), ours: 0.03997, standardError: nil,
                                  hasStandardError: false)?.passed == false)
        // Relative: ±5 % by default, ours rounded as printed.
        #expect(VerdictRule.judge(published(100, metric: "m"), ours: 104.9, standardError: nil, hasStandardError: false)?.passed == true)
        #expect(VerdictRule.judge(published(100, metric: "m"), ours: 105.6, standardError: nil, hasStandardError: false)?.passed == false)
        #expect(VerdictRule.judge(published(6040, metric: "users", tolerance: 0), ours: 6040, standardError: nil, hasStandardError: false)?.passed == true)
        #expect(VerdictRule.decimals(published(0.1259)) == 4 && VerdictRule.decimals(published(253)) == 0)
        #expect(VerdictRule.decimals(published(253, printed: "253.0")) == 1 && VerdictRule.decimals(published(1_280_969, printed: "1,280,969")) == 0)
        // Absolute tolerance without a rule: the absolute rule.
        #expect(VerdictRule.of(published(0, absolute: 0.01), hasStandardError: true) == .absolute)
        #expect(VerdictRule.of(published(0.1), hasStandardError: true) == .se && VerdictRule.of(published(0.1), hasStandardError: false) == .relative)
    }

    @Test func rulesThatDoNotApplyAreErrorsNamingTheKey() throws {
        func message(_ p: ExperimentSpec.Published, se: Bool) -> String {
            do { try VerdictRule.validate(p, at: "published[3]", hasStandardError: se); return "valid" } catch { return "\(error)" }
        }
        #expect(message(published(1, metric: "time (min)", rule: "se"), se: false).contains("published[3].rule"))
        #expect(message(published(0.1, rule: "se", tolerance: 0.05), se: true).contains("published[3].tolerance"))
        #expect(message(published(0.1, rule: "closest"), se: true).contains("unknown verdict rule (published[3].rule) `closest`"))
        #expect(message(published(0.1, rule: "absolute"), se: true).contains("absoluteTolerance"))
        #expect(message(published(2.44, printed: "2.45 GB"), se: false).contains("published[3].printed"))
        var noSource = published(0.1)
        noSource.source = "  "
        #expect(message(noSource, se: true).contains("published[3].source"))
        #expect(message(published(0.1), se: true) == "valid")
        // Through a spec file: the file and the key.
        let root = try temporaryRoot(["toy": spec(published: "[{\"row\": \"popularity\", \"metric\": \"ndcg@10\", \"value\": 0.1, \"source\": \"x\", \"tolerance\": 0.1}]")])
        do { _ = try ExperimentSpec.load(path: root + "/experiments/specs/toy.json"); Issue.record("loaded") } catch {
            #expect("\(error)".contains("toy.json") && "\(error)".contains("published[0].tolerance"))
        }
    }

    /// On a real-format dataset the published value is judged within 2 SE of ours; on
    /// synthetic data it is not shown at all.
    @Test func publishedValuesAreJudgedBesideMatchingDataOnly() throws {
        let root = try temporaryRoot(["toy": spec(published: "[]")])
        try writeUserItemFile(root: root)
        let first = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/toy.json"), scale: "smoke", root: root).run()
        let stat = try #require(first.report.rows.first?.metrics["ndcg@10"])
        let se = try #require(stat.standardError)
        #expect(se > 0 && se < stat.mean)
        func verdict(_ value: Double) throws -> String? {
            let text = spec(published: "[{\"row\": \"popularity\", \"metric\": \"ndcg@10\", \"value\": \(value), \"source\": \"x\", \"note\": \"a caveat\"}]")
            try text.write(toFile: root + "/experiments/specs/toy.json", atomically: true, encoding: .utf8)
            let out = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/toy.json"), scale: "smoke", root: root).run()
            #expect(out.computed == 0)
            #expect(out.markdown.contains("¹ a caveat") && out.markdown.contains(" ± "))
            return out.report.rows.first?.metrics["ndcg@10"]?.verdict
        }
        let near = (stat.mean * 10_000).rounded() / 10_000
        #expect(try verdict(near)?.hasPrefix("within 2 SE") == true)
        let far = ((stat.mean + 3 * se) * 10_000).rounded() / 10_000
        #expect(try verdict(far)?.hasPrefix("outside 2 SE") == true)
        // The same spec on synthetic data: no published value beside it.
        let synthetic = try temporaryRoot(["toy": trainingSpec])
        let out = try Reproduction(spec: try ExperimentSpec.load(path: synthetic + "/experiments/specs/toy.json"), scale: "smoke", root: synthetic,
                                   only: ["popularity"]).run()
        #expect(out.report.rows.allSatisfy { $0.metrics.values.allSatisfy { $0.published == nil } })
        #expect(out.markdown.contains("None is shown here: the data at this scale is not the data they were published for") && !out.markdown.contains("shown for reference"))
    }

    /// `seqrec reproduce` exits non-zero when a check that applies fails; not for checks of
    /// other scales; `--allow-failed-checks` overrides.
    @Test func reproduceExitsNonZeroWhenACheckFails() throws {
        let binary = repositoryRoot + "/.build/release/seqrec"
        guard FileManager.default.isExecutableFile(atPath: binary) else { Issue.record("build the seqrec product first"); return }
        func run(_ checks: String, _ extra: [String] = []) throws -> (Int32, String) {
            let root = try temporaryRoot(["toy": spec(published: "[]", checks: checks)])
            try writeUserItemFile(root: root)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["reproduce", "toy", "--root", root, "--quiet"] + extra
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(FileManager.default.fileExists(atPath: root + "/experiments/results/toy/smoke/table.md"))
            return (p.terminationStatus, text)
        }
        let failing = "[{\"kind\": \"greater\", \"metric\": \"ndcg@10\", \"row\": \"random\", \"than\": \"popularity\", \"description\": \"impossible\"}]"
        let (status, message) = try run(failing)
        #expect(status == 1 && message.contains("1 check(s) failed at smoke scale: impossible"))
        #expect(try run(failing, ["--allow-failed-checks"]).0 == 0)
        let elsewhere = failing.replacingOccurrences(of: "\"description\"", with: "\"scales\": [\"full\"], \"description\"")
        #expect(try run(elsewhere).0 == 0)
    }

    /// A scale's `rowConfig` changes only the rows it names; a scale's `grid` replaces the
    /// spec's; checks naming rows absent from a scale's grid, or rows skipped, are handled.
    @Test func scaleRowConfigAndGridApplyOnlyWhereNamed() throws {
        let gridSpec = """
        {"id": "g", "title": "g", "kind": "training", "source": "made up",
         "datasets": [{"name": "syn", "synthetic": {"users": 200, "items": 40, "meanLength": 10, "seed": 2}, "validationUsers": 40}],
         "metrics": ["ndcg@10"],
         "grid": [{"key": "loss.negatives", "values": [1, 2, 4]}],
         "scales": {"smoke": {"description": "tiny", "config": {"model": {"maxLength": 8, "dim": 8, "blocks": 1},
                              "training": {"batchSize": 16, "batchesPerEpoch": 2, "maxEpochs": 1}},
                              "grid": [{"key": "loss.negatives", "values": [1, 2]}], "rowConfig": ROWCONFIG},
                    "full": {"description": "all"}},
         "rows": [{"id": "a", "preset": "gsasrec-port"}, {"id": "b", "preset": "gsasrec-port"}],
         "checks": CHECKS}
        """
        func load(_ rowConfig: String, _ checks: String = "[]") throws -> ExperimentSpec {
            let root = try temporaryRoot(["g": gridSpec.replacingOccurrences(of: "ROWCONFIG", with: rowConfig).replacingOccurrences(of: "CHECKS", with: checks)])
            return try ExperimentSpec.load(path: root + "/experiments/specs/g.json")
        }
        let spec = try load("{\"b\": {\"loss\": {\"t\": 0}}}")
        #expect(spec.expandedRows(scale: "smoke").map(\.id) == ["a/negatives=1", "a/negatives=2", "b/negatives=1", "b/negatives=2"])
        #expect(spec.expandedRows(scale: "full").count == 6)
        let root = try temporaryRoot([:])
        let outcome = try Reproduction(spec: spec, scale: "smoke", root: root).run()
        #expect(outcome.computed == 4)
        var t: [String: Double] = [:]   // loss.t of each cell's resolved config
        let cells = root + "/experiments/results/g/smoke/cells/"
        for f in try FileManager.default.contentsOfDirectory(atPath: cells) {
            let r = try JSONDecoder().decode(CellResult.self, from: Data(contentsOf: URL(fileURLWithPath: cells + f)))
            guard case .object(let config) = r.record.config, case .object(let loss)? = config["loss"] else { continue }
            t[r.row] = loss["t"]?.number
        }
        #expect(t["a/negatives=2"] == 0.75 && t["b/negatives=2"] == 0 && t["b/negatives=1"] == 0)
        // Errors naming the key: an unknown row in rowConfig; a check on a row the smoke grid lacks.
        do { _ = try load("{\"c\": {}}"); Issue.record("loaded") } catch { #expect("\(error)".contains("scales.smoke.rowConfig")) }
        let check = "[{\"kind\": \"greater\", \"metric\": \"ndcg@10\", \"row\": \"a/negatives=4\", \"than\": \"a/negatives=1\"}]"
        do { _ = try load("{}", check); Issue.record("loaded") } catch { #expect("\(error)".contains("does not exist at smoke scale")) }
        #expect(throws: Never.self) { _ = try load("{}", check.replacingOccurrences(of: "\"than\"", with: "\"scales\": [\"full\"], \"than\"")) }
        // A check whose rows were not selected is not applicable, not failed.
        let partial = try Reproduction(spec: try load("{}", "[{\"kind\": \"greater\", \"metric\": \"ndcg@10\", \"row\": \"a/negatives=2\", \"than\": \"b/negatives=1\"}]"),
                                       scale: "smoke", root: root, only: ["a/"]).run()
        #expect(partial.report.failedChecks.isEmpty && partial.report.checks.first?.applicable == false)
    }
}
