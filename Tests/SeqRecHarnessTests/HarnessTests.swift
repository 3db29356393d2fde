import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationXML)
import FoundationXML
#endif
import SeqRecCore
import SeqRecHarness
import Testing

/// The repository root (for the committed specs and the built `seqrec` binary).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A temporary repository root holding `specs` under experiments/specs.
func temporaryRoot(_ specs: [String: String]) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-harness-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root + "/experiments/specs", withIntermediateDirectories: true)
    for (id, text) in specs { try text.write(toFile: root + "/experiments/specs/\(id).json", atomically: true, encoding: .utf8) }
    return root
}

/// Every spec committed under `experiments/specs/`.
let committedSpecIDs: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/experiments/specs")) ?? [])
    .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()

/// A small training spec on the embedded synthetic data: three rows, two seeds.
let trainingSpec = """
{"id": "toy", "title": "toy comparison", "kind": "training", "source": "made up",
 "datasets": [{"name": "syn", "synthetic": {"users": 300, "items": 60, "meanLength": 15, "seed": 2}, "validationUsers": 60}],
 "metrics": ["ndcg@10", "recall@10"], "seeds": [1, 2],
 "scales": {"smoke": {"description": "tiny", "config": {"model": {"maxLength": 10, "dim": 16, "blocks": 1, "dropout": 0.1},
            "training": {"batchSize": 32, "batchesPerEpoch": 8, "maxEpochs": 6, "learningRate": 0.01}}, "expectedMinutes": 0.1}},
 "rows": [{"id": "popularity", "group": "popularity"},
          {"id": "sasrec", "preset": "sasrec-port"},
          {"id": "gsasrec", "preset": "gsasrec-port", "config": {"loss": {"negatives": 16}}}],
 "published": [{"row": "sasrec", "metric": "ndcg@10", "value": 0.2, "source": "invented"}],
 "checks": [{"kind": "greater", "metric": "ndcg@10", "row": "sasrec", "than": "popularity"}]}
"""

@Suite(.serialized) struct HarnessTests {
    @Test func everyCommittedSpecLoadsAndValidates() throws {
        let dir = repositoryRoot + "/experiments/specs"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 6)
        for f in files {
            let spec = try ExperimentSpec.load(path: dir + "/" + f)
            #expect(spec.id + ".json" == f)
            #expect(!spec.expandedRows().isEmpty)
        }
        #expect(try ExperimentSpec.load(path: dir + "/fig-5.5.json").expandedRows().count == 25)
    }

    @Test func badSpecsAreErrorsNamingTheKeyAndTheChoices() throws {
        func message(_ text: String) -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString).json").path
            try! text.write(toFile: path, atomically: true, encoding: .utf8)
            do { _ = try ExperimentSpec.load(path: path); return "loaded" } catch { return "\(error)" }
        }
        let base = trainingSpec
        #expect(message(base.replacingOccurrences(of: "\"seeds\": [1, 2]", with: "\"seedz\": [1]"))
            .contains("unknown key `seedz` in spec; valid keys:"))
        #expect(message(base.replacingOccurrences(of: "\"kind\": \"training\"", with: "\"kind\": \"plotting\""))
            .contains("unknown spec kind `plotting`; valid: statistics, memory, training, scoring"))
        #expect(message(base.replacingOccurrences(of: "{\"row\": \"sasrec\", \"metric\"", with: "{\"row\": \"bert4rec\", \"metric\""))
            .contains("unknown row (published value) `bert4rec`; valid: popularity, sasrec, gsasrec"))
        #expect(message(base.replacingOccurrences(of: "\"preset\": \"sasrec-port\"", with: "\"preset\": \"caser\""))
            .contains("unknown preset `caser`"))
        #expect(message(base.replacingOccurrences(of: "\"smoke\": {\"description\"", with: "\"tiny\": {\"description\""))
            .contains("unknown scale `tiny`; valid: smoke, reduced, full"))
        #expect(message(base.replacingOccurrences(of: "\"expectedMinutes\": 0.1}}", with: "\"expectedMinutes\": 0.1, \"budget\": 3}}"))
            .contains("unknown key `budget` in spec.scales.smoke"))
        // A typo inside a row's config is caught when the config is resolved, before any training.
        let root = try temporaryRoot(["toy": base.replacingOccurrences(of: "{\"negatives\": 16}", with: "{\"negativs\": 16}")])
        let spec = try ExperimentSpec.load(path: root + "/experiments/specs/toy.json")
        do { _ = try Reproduction(spec: spec, scale: "smoke", root: root).run(); Issue.record("ran") } catch {
            #expect("\(error)".contains("unknown key `negativs` in config.loss"))
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/experiments/results/toy/smoke/table.md"))
        // A row naming an unknown model: an error naming it, before any cell (even the baseline) is computed.
        let unknown = try temporaryRoot(["toy": base.replacingOccurrences(of: "{\"negatives\": 16}", with: "{\"negatives\": 16}, \"model\": {\"id\": \"gpt4rec\"}")])
        let unknownSpec = try ExperimentSpec.load(path: unknown + "/experiments/specs/toy.json")
        do { _ = try Reproduction(spec: unknownSpec, scale: "smoke", root: unknown).run(); Issue.record("ran") } catch {
            #expect("\(error)".contains("unknown model `gpt4rec`; valid: sasrec, bert4rec"))
        }
        #expect(!FileManager.default.fileExists(atPath: unknown + "/experiments/results/toy/smoke/cells"))
    }

    @Test func verdictsUseTheRelativeTolerance() {
        #expect(Report.verdict(ours: 0.105, published: 0.1, tolerance: 0.05).passed)
        #expect(!Report.verdict(ours: 0.106, published: 0.1, tolerance: 0.05).passed)
        #expect(Report.verdict(ours: 0.095, published: 0.1, tolerance: 0.05).passed)
        #expect(Swift.abs(Report.verdict(ours: 0.12, published: 0.1, tolerance: 0.05).delta - 20) < 1e-9)
        #expect(!Report.verdict(ours: 1, published: 0, tolerance: 0.05).passed)
    }

    /// Table 6.2 end to end: every analytic cell within its tolerance of the thesis; a rerun
    /// takes every cell from the cache.
    @Test func table62MatchesTheThesisAndRerunsFromTheCache() throws {
        let text = try String(contentsOfFile: repositoryRoot + "/experiments/specs/table-6.2.json", encoding: .utf8)
        let root = try temporaryRoot(["table-6.2": text])
        let spec = try ExperimentSpec.load(path: root + "/experiments/specs/table-6.2.json")
        let first = try Reproduction(spec: spec, scale: "full", root: root).run()
        #expect(first.computed == 3 && first.cached == 0)
        let verdicts = first.report.rows.flatMap { $0.metrics.values.compactMap(\.verdict) }
        #expect(verdicts.count == 12 && verdicts.allSatisfy { $0.hasPrefix("within") })
        let again = try Reproduction(spec: spec, scale: "full", root: root).run()
        #expect(again.computed == 0 && again.cached == 3)
        let md = try String(contentsOfFile: root + "/experiments/results/table-6.2/full/table.md", encoding: .utf8)
        #expect(md.contains("| MovieLens-1M | – | 6.67 (pub 6.67 MB, Δ +0.0% ✓) | 14.99 (pub 14.988%, Δ +0.0% ✓)"))
        #expect(md.contains("| Gowalla | – | 2501.9 (pub 2.44 GB, Δ +0.1% ✓)"))
        let csv = try String(contentsOfFile: root + "/experiments/results/table-6.2/full/table.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 12)
    }

    /// The training spec end to end at smoke scale (what CI runs): seeds aggregated, significance
    /// against the best row, published values as reference, checks, cache keyed by content.
    /// Opt-in popularity-sampled evaluation: sampled metrics beside the full ones for baselines
    /// and trained rows, and a key of its own (the full-only cells are not reused for it).
    @Test func sampledEvaluationAddsLabelledSampledMetrics() throws {
        let sampled = trainingSpec
            .replacingOccurrences(of: "\"seeds\": [1, 2],", with: "\"seeds\": [1], \"sampledEvaluation\": {\"negatives\": 20, \"seed\": 5},")
            .replacingOccurrences(of: "\"metrics\": [\"ndcg@10\", \"recall@10\"]", with: "\"metrics\": [\"ndcg@10\", \"sampled-pop20:ndcg@10\"]")
        let root = try temporaryRoot(["toy": sampled])
        let outcome = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/toy.json"), scale: "smoke", root: root).run()
        for row in outcome.report.rows {
            let full = try #require(row.metrics["ndcg@10"]?.mean), pop = try #require(row.metrics["sampled-pop20:ndcg@10"]?.mean)
            #expect(pop >= full, "\(row.id): ranking among 21 candidates is never harder than among all items")
        }
    }

    @Test func trainingSpecRunsEndToEndAndCachesByContent() throws {
        let root = try temporaryRoot(["toy": trainingSpec])
        let spec = try ExperimentSpec.load(path: root + "/experiments/specs/toy.json")
        let first = try Reproduction(spec: spec, scale: "smoke", root: root).run()
        #expect(first.computed == 6 && first.cached == 0)
        let sasrec = first.report.rows.first { $0.id == "sasrec" }!
        // The published 0.2 belongs to another dataset: never shown beside synthetic results.
        #expect(sasrec.metrics["ndcg@10"]!.n == 2 && sasrec.metrics["ndcg@10"]!.published == nil)
        #expect(sasrec.metrics["ndcg@10"]!.verdict == nil && (sasrec.metrics["ndcg@10"]!.standardError ?? 0) > 0)
        #expect(first.report.checks.count == 1)
        let md = try String(contentsOfFile: root + "/experiments/results/toy/smoke/table.md", encoding: .utf8)
        #expect(md.contains(" ± ") && md.contains("## Checks"))
        // Only the changed row's cells are recomputed.
        let changed = try temporaryRoot(["toy": trainingSpec.replacingOccurrences(of: "{\"negatives\": 16}", with: "{\"negatives\": 8}")])
        try FileManager.default.removeItem(atPath: changed)
        try FileManager.default.copyItem(atPath: root, toPath: changed)
        try trainingSpec.replacingOccurrences(of: "{\"negatives\": 16}", with: "{\"negatives\": 8}")
            .write(toFile: changed + "/experiments/specs/toy.json", atomically: true, encoding: .utf8)
        let spec2 = try ExperimentSpec.load(path: changed + "/experiments/specs/toy.json")
        let second = try Reproduction(spec: spec2, scale: "smoke", root: changed).run()
        #expect(second.computed == 2 && second.cached == 4)
        let only = try Reproduction(spec: spec2, scale: "smoke", root: changed, only: ["sasrec"]).run()
        #expect(only.report.rows.map(\.id) == ["sasrec"] && only.computed == 0)
    }

    /// Killing `seqrec reproduce` mid-run loses at most the cell in progress: the rerun takes
    /// the finished cells from the cache.
    @Test func killedRunResumesWithoutRedoingFinishedCells() throws {
        let binary = repositoryRoot + "/.build/release/seqrec"
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the seqrec product first (scripts/test does)")
        guard FileManager.default.isExecutableFile(atPath: binary) else { return }
        let slow = trainingSpec.replacingOccurrences(of: "\"maxEpochs\": 6", with: "\"maxEpochs\": 150")
        let root = try temporaryRoot(["toy": slow])
        let cells = root + "/experiments/results/toy/smoke/cells"
        func start() throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["reproduce", "toy", "--scale", "smoke", "--root", root, "--quiet"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        func finished() -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: cells)) ?? []).filter { $0.hasSuffix(".json") }.count }
        let p = try start()
        let clock = Stopwatch()
        while finished() < 3 && p.isRunning && clock.elapsedSeconds < 120 { usleep(20_000) }
        kill(p.processIdentifier, SIGKILL)   // killed mid-run (a training cell is in progress)
        p.waitUntilExit()
        let done = finished()
        #expect(done >= 3 && done < 6, "killed after \(done) cells")
        // No partial files: every cell file present parses.
        for f in try FileManager.default.contentsOfDirectory(atPath: cells) {
            #expect(f.hasSuffix(".json"), "stray file \(f)")
            #expect((try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cells + "/" + f)))) != nil)
        }
        let spec = try ExperimentSpec.load(path: root + "/experiments/specs/toy.json")
        let rerun = try Reproduction(spec: spec, scale: "smoke", root: root).run()
        #expect(rerun.cached == done && rerun.computed == 6 - done)
    }

    @Test func figuresAreWellFormedSVGWithTheExpectedSeries() throws {
        let line = SVGChart.line(title: "t <&>", xLabel: "items", yLabel: "ms",
                                 series: [("PQTopK", [(1e3, 0.01), (1e6, 1)]), ("RecJPQ", [(1e3, 0.02), (1e6, 3)]), ("Dense", [(1e3, 0.03)])],
                                 logX: true, logY: true)
        let heat = SVGChart.heatmap(title: "g", xLabel: "t", yLabel: "k", xs: ["0", "0.5"], ys: ["1", "4", "16"],
                                    values: [[0.1, 0.2], [0.15, nil], [0.3, 0.31]], metric: "ndcg@10")
        for svg in [line, heat] {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))")
        }
        #expect(line.components(separatedBy: "<g class=\"series\"").count - 1 == 3)
        #expect(line.contains("data-name=\"PQTopK\"") && line.contains("(log scale)") && line.contains("t &lt;&amp;&gt;"))
        #expect(heat.components(separatedBy: "class=\"cell\"").count - 1 == 6)
        #expect(heat.contains(">0.3100<"))
    }

    /// What CI runs end to end: every committed spec at smoke scale, in a scratch root (with
    /// `../shared` beside it when the datasets are present), its checks asserted — a spec whose
    /// smoke run contradicts its own claims fails the suite.
    @Test(arguments: committedSpecIDs)
    func committedSpecPassesItsChecksAtSmokeScale(_ id: String) throws {
        let text = try String(contentsOfFile: repositoryRoot + "/experiments/specs/\(id).json", encoding: .utf8)
        let parent = try temporaryRoot([:])
        let root = parent + "/main"
        try FileManager.default.createDirectory(atPath: root + "/experiments/specs", withIntermediateDirectories: true)
        try text.write(toFile: root + "/experiments/specs/\(id).json", atomically: true, encoding: .utf8)
        let shared = repositoryRoot + "/../shared"
        if FileManager.default.fileExists(atPath: shared + "/datasets") {
            try FileManager.default.createSymbolicLink(atPath: parent + "/shared", withDestinationPath: shared)
        }
        let spec = try ExperimentSpec.load(path: root + "/experiments/specs/\(id).json")
        let outcome = try Reproduction(spec: spec, scale: "smoke", root: root).run()
        #expect(outcome.report.failedChecks.isEmpty, "\(id): \(outcome.report.failedChecks.map { $0.description + ": " + $0.detail })")
        // Rows are skipped only for a documented reason: absent datasets or a memory budget.
        for row in outcome.report.rows {
            #expect(row.skipped == nil || row.skipped == "dataset files absent" || row.skipped!.contains("GB"), "\(row.id): \(row.skipped!)")
            #expect(row.skipped != nil || !row.metrics.isEmpty)
        }
        // No published value beside synthetic results.
        for row in outcome.report.rows where row.dataset == "synthetic" {
            #expect(row.metrics.values.allSatisfy { $0.published == nil }, "\(row.id) shows a published value")
        }
        #expect(outcome.files.contains { $0.hasSuffix("table.md") } && outcome.files.contains { $0.hasSuffix("table.csv") })
        for figure in spec.allFigures {
            let svg = try Data(contentsOf: URL(fileURLWithPath: root + "/experiments/results/\(id)/smoke/" + figure.file))
            #expect(XMLParser(data: svg).parse())
            if figure.kind == "calibration" {   // each row's curve and its Theorem 5.5.1 prediction
                #expect(String(decoding: svg, as: UTF8.self).components(separatedBy: "<g class=\"series\"").count - 1 == 2 * spec.rows.count)
            }
        }
    }
}

/// A `trained-pruning` spec names what is wrong with it before anything trains.
@Suite struct TrainedPruningSpecTests {
    static func spec(model: String, row: String) -> String {
        """
        {"id": "tp", "title": "t", "kind": "trained-pruning", "source": "made up",
         "datasets": [{"name": "syn", "synthetic": {"users": 300, "items": 400, "meanLength": 15, "seed": 2}, "validationUsers": 60}],
         "metrics": ["median ms", "items scored %"], "seeds": [1],
         "scales": {"smoke": {"description": "tiny", "dataset": "syn", "queries": 5, "expectedMinutes": 0.1,
                              "config": {"model": \(model), "training": {"batchSize": 32, "batchesPerEpoch": 4, "maxEpochs": 2}}}},
         "rows": [{"id": "pq", "method": "pq-topk"}, {"id": "prune", "method": "recjpq-prune", "config": \(row)}]}
        """
    }
    static let recJPQ = #"{"maxLength": 8, "dim": 16, "blocks": 1, "reuseItemEmbeddings": true, "itemEmbedding": {"kind": "recjpq", "splits": 8, "subIDs": 256}}"#

    @Test func aDenseModelOrGeneratorCodesAreErrorsNamingTheKey() throws {
        let dense = try temporaryRoot(["tp": Self.spec(model: #"{"maxLength": 8, "dim": 16, "blocks": 1}"#, row: #"{"k": 10}"#)])
        #expect { try ExperimentSpec.load(path: dense + "/experiments/specs/tp.json") } throws: {
            "\($0)".contains("scales.smoke.config.model.itemEmbedding.kind") && "\($0)".contains("recjpq")
        }
        let codes = try temporaryRoot(["tp": Self.spec(model: Self.recJPQ, row: #"{"k": 10, "codes": "clusters"}"#)])
        #expect { try ExperimentSpec.load(path: codes + "/experiments/specs/tp.json") } throws: { "\($0)".contains("rows.prune.config.codes") }
    }

    @Test func everyRowScoresTheOneTrainedModelExactly() throws {
        let root = try temporaryRoot(["tp": Self.spec(model: Self.recJPQ, row: #"{"k": 10, "batchSize": 2}"#)])
        let outcome = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/tp.json"), scale: "smoke", root: root).run()
        let rows = outcome.report.rows
        #expect(rows.count == 2 && rows.allSatisfy { $0.skipped == nil })
        // One model trained (one run directory) for both rows; the exhaustive row scores every item.
        let runs = try FileManager.default.contentsOfDirectory(atPath: root + "/experiments/results/tp/smoke/runs")
        #expect(runs.filter { $0.hasPrefix("model-") }.count == 1)
        #expect(rows[0].metrics["items scored %"]?.mean == 100)
        #expect((rows[1].metrics["items scored %"]?.mean ?? 0) > 0)
    }
}
