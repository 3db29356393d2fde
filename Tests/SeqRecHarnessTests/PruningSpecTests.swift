import Foundation
import SeqRecCore
import SeqRecHarness
import Testing

/// The `pruning` cell kind (Table 7.3): RecJPQPrune against PQTopK on the structured generator.
@Suite struct PruningSpecTests {
    static func spec(rows: String, figureRows: String = "[\"prune\"]") -> String {
        """
        {"id": "p", "title": "pruning", "kind": "pruning", "source": "made up", "metrics": ["median ms", "items scored %"],
         "scales": {"smoke": {"description": "tiny", "sizes": [3000, 6000], "queries": 4}},
         "rows": \(rows),
         "checks": [{"kind": "greater", "metric": "items scored %", "row": "exhaustive@6000", "than": "prune@6000"}],
         "figure": {"kind": "line", "file": "f.svg", "metric": "median ms", "rows": \(figureRows)}}
        """
    }
    static let rows = """
        [{"id": "exhaustive", "method": "pq-topk", "config": {"k": 10}},
         {"id": "prune", "method": "recjpq-prune", "config": {"k": 10, "batchSize": 4, "codes": "clusters"}}]
        """

    @Test func pruningCellsMeasureExactPruningAndItsWork() throws {
        let root = try temporaryRoot(["p": Self.spec(rows: Self.rows)])
        let outcome = try Reproduction(spec: try ExperimentSpec.load(path: root + "/experiments/specs/p.json"), scale: "smoke", root: root).run()
        #expect(outcome.computed == 4 && outcome.report.failedChecks.isEmpty)
        // Spec order within a size: PQTopK, then RecJPQPrune.
        #expect(outcome.report.rows.map(\.id) == ["exhaustive@3000", "prune@3000", "exhaustive@6000", "prune@6000"])
        for r in outcome.report.rows {
            let scored = try #require(r.metrics["items scored %"]?.mean)
            #expect(r.id.hasPrefix("exhaustive") ? scored == 100 : scored > 0 && scored < 100, "\(r.id): \(scored)")
            #expect((r.metrics["median ms"]?.mean ?? -1) >= 0)
        }
        let svg = try String(contentsOfFile: root + "/experiments/results/p/smoke/f.svg", encoding: .utf8)
        #expect(svg.components(separatedBy: "<g class=\"series\"").count - 1 == 1)   // only the rows the figure names
    }

    @Test func badPruningRowsAreErrorsNamingTheKey() throws {
        func message(_ rows: String, figureRows: String = "[\"prune\"]") throws -> String {
            let root = try temporaryRoot(["p": Self.spec(rows: rows, figureRows: figureRows)])
            do { _ = try ExperimentSpec.load(path: root + "/experiments/specs/p.json"); return "loaded" } catch { return "\(error)" }
        }
        #expect(try message(Self.rows.replacingOccurrences(of: "\"batchSize\": 4", with: "\"batchsize\": 4"))
            .contains("unknown key `batchsize` in rows.prune.config"))
        #expect(try message(Self.rows.replacingOccurrences(of: "\"k\": 10}}", with: "\"k\": 0}}")).contains("rows.exhaustive.config.k"))
        #expect(try message(Self.rows.replacingOccurrences(of: "\"clusters\"", with: "\"random\"")).contains("rows.prune.config.codes"))
        #expect(try message(Self.rows.replacingOccurrences(of: "\"recjpq-prune\"", with: "\"recjpq\"")).contains("pruning method (row prune)"))
        #expect(try message(Self.rows, figureRows: "[\"pruned\"]").contains("unknown row (figure f.svg) `pruned`"))
    }
}
