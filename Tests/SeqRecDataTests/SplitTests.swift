import SeqRecCore
import SeqRecData
import Testing

@Suite struct SplitTests {
    @Test func leaveOneOutSemantics() throws {
        let d = try dataset([[1, 2, 3, 4], [5, 6], [7], [1, 5, 7]])
        let s = try LeaveOneOut().split(d)
        // User 0: test target 4 with input [1,2,3] (includes validation item 3); validation target 3 with input [1,2].
        let t0 = s.test.first { $0.user == 0 }!, v0 = s.validation.first { $0.user == 0 }!
        #expect(t0.target == 4 && Array(s.input(t0)) == [1, 2, 3])
        #expect(v0.target == 3 && Array(s.input(v0)) == [1, 2])
        #expect(Array(s.trainSequence(0)) == [1, 2])
        // User 1 (2 items): test only; user 2 (1 item): train only. Both reported.
        #expect(s.report.usersWithoutValidation == 1 && s.report.usersWithoutTest == 1)
        #expect(!s.validation.contains { $0.user == 1 } && s.test.contains { $0.user == 1 })
    }

    @Test func noLeakageOnSyntheticData() throws {
        let d = try SyntheticDataset(users: 400, items: 100, seed: 3).generate()
        let s = try LeaveOneOut(validationUsers: 50, seed: 9).split(d)
        #expect(s.validation.count == 50)
        for c in s.test {
            // The input is exactly the prefix before the target's position: it never reaches it.
            #expect(c.inputLength == d.length(c.user) - 1)
            #expect(s.trainLengths[c.user] <= c.inputLength - 1)
        }
        for c in s.validation {
            let test = s.test.first { $0.user == c.user }!
            // Validation input and training stop before the test item's position.
            #expect(c.inputLength + 1 < test.inputLength + 1)
            #expect(s.trainLengths[c.user] <= c.inputLength)
        }
        // The seeded sample is reproducible.
        #expect(try LeaveOneOut(validationUsers: 50, seed: 9).split(d).validation == s.validation)
    }

    @Test func temporalSplitNeverTrainsOnTheFuture() throws {
        var log = InteractionLog(source: "t", hasTimestamps: true)
        let rows: [(String, String, Double)] = [("a", "1", 1), ("a", "2", 5), ("a", "3", 9), ("b", "1", 2), ("b", "4", 3),
                                                ("c", "2", 8), ("c", "3", 10)]
        for (u, i, t) in rows { log.append(user: log.users.intern(u), item: log.items.intern(i), timestamp: t) }
        let d = try Preprocessing().apply(to: log, name: "t")
        let s = try TemporalLeaveOneOut(validationTime: 5, testTime: 9).split(d)
        // a: train [1] (before 5); validation target 2 (t=5) after [1]; test target 3 (t=9) after [1, 2].
        let ua = d.userIDs.firstIndex(of: "a")!
        #expect(s.trainLengths[ua] == 1)
        #expect(s.validation.contains { $0.user == ua && $0.inputLength == 1 })
        #expect(s.test.contains { $0.user == ua && $0.inputLength == 2 })
        // c: first item at 8 ≥ 5 → no training data; test target at 10 after [2].
        let uc = d.userIDs.firstIndex(of: "c")!
        #expect(s.trainLengths[uc] == 0 && s.test.contains { $0.user == uc })
        for u in 0..<d.userCount { for k in 0..<s.trainLengths[u] { #expect(d.timestamps![d.offsets[u] + k] < 5) } }
        #expect(throws: HyperparameterError.self) { try TemporalLeaveOneOut(validationTime: 9, testTime: 5).split(d) }
    }

    /// Real-data checks run only where ../shared/datasets exists (skipped, and shown as such, elsewhere).
    @Test(.enabled(if: sharedDatasets() != nil, "needs ../shared/datasets"))
    func realDatasetsMatchThesisTable21() throws {
        let shared = sharedDatasets()!
        let beauty = try Preprocessing().apply(to: try UserItemFormat().read(path: shared + "/beauty/beauty.txt"), name: "beauty")
        let b = beauty.statistics
        #expect(b.users == 40_226 && b.items == 54_542 && b.interactions == 353_962)
        #expect(String(format: "%.2f", b.meanLength) == "8.80" && b.medianLength == 6)
        #expect(String(format: "%.2f", b.longTailPercent) == "68.76")
        let ml = try GSASRecPortSplit(directory: shared + "/ml1m-gsasrec").statistics()
        #expect(ml.users == 6_040 && ml.items == 3_416 && ml.interactions == 999_611)
        #expect(String(format: "%.2f", ml.meanLength) == "165.50" && ml.medianLength == 96)
    }

    @Test(.enabled(if: sharedDatasets() != nil, "needs ../shared/datasets"))
    func gsasrecPortSplitSemantics() throws {
        let shared = sharedDatasets()!
        let s = try GSASRecPortSplit(directory: shared + "/ml1m-gsasrec").load()
        #expect(s.dataset.userCount == 6_040 && s.validation.count == 512 && s.test.count == 512)
        #expect(s.report.usersWithUnknownTestInput == 5_528)
        for (v, t) in zip(s.validation, s.test) {
            #expect(v.user == t.user && t.inputLength == v.inputLength + 1)
            #expect(s.trainLengths[v.user] == v.inputLength - 1)
        }
    }
}

import Foundation
