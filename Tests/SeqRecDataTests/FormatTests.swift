import SeqRecCore
import SeqRecData
import Testing

@Suite struct FormatTests {
    @Test func userItemReadsInFileOrderAndNumbersItemsNumerically() throws {
        let path = tempFile("1 30\n1 10\n2 20\n\n2 30\n1 20\n")
        let d = try Preprocessing().apply(to: try UserItemFormat().read(path: path), name: "t")
        #expect(d.userIDs == ["1", "2"])
        #expect(d.vocabulary.externalIDs == ["10", "20", "30"])
        #expect(Array(d.sequence(0)) == [3, 1, 2])   // 30, 10, 20 in file order
        #expect(Array(d.sequence(1)) == [2, 3])
    }

    @Test func malformedLineNamesFileAndLine() throws {
        let path = tempFile("1 2\n1 2 3\n")
        #expect(throws: DataError(file: path, line: 2, "expected 2 fields `user item`, found 3")) {
            try UserItemFormat().read(path: path)
        }
        let empty = tempFile("")
        #expect(throws: DataError(file: empty, "the file is empty")) { try UserItemFormat().read(path: empty) }
        #expect(throws: DataError.self) { try UserItemFormat().read(path: "/nonexistent/file.txt") }
    }

    @Test func groupLensDatSortsByTimestampStablyNotByItemID() throws {
        // Items 9, 5, 7 share a timestamp: file order must survive (never item-id order).
        let path = tempFile("1::9::5::100\n1::5::3::100\n1::1::4::50\n1::7::5::100\n2::1::1::10\n", name: "ratings.dat")
        let d = try Preprocessing().apply(to: try GroupLensFormat().read(path: path), name: "ml")
        let ext = d.sequence(0).map { d.vocabulary.externalID($0) }
        #expect(ext == ["1", "9", "5", "7"])
    }

    @Test func groupLensCSVNeedsItsHeaderAndRejectsADuplicate() throws {
        let ok = tempFile("userId,movieId,rating,timestamp\n1,2,3.5,10\n1,3,4.0,5\n", name: "ratings.csv")
        let d = try Preprocessing().apply(to: try GroupLensFormat().read(path: ok), name: "ml")
        #expect(d.sequence(0).map { d.vocabulary.externalID($0) } == ["3", "2"])
        let dup = tempFile("userId,movieId,rating,timestamp\n1,2,3.5,10\nuserId,movieId,rating,timestamp\n", name: "ratings.csv")
        #expect(throws: DataError(file: dup, line: 3, "duplicated header line")) { try GroupLensFormat().read(path: dup) }
        let bad = tempFile("user,item\n1,2\n", name: "ratings.csv")
        #expect(throws: DataError.self) { try GroupLensFormat().read(path: bad) }
        let badTime = tempFile("1::2::3::x\n", name: "ratings.dat")
        #expect(throws: DataError(file: badTime, line: 1, "timestamp `x` is not a number")) { try GroupLensFormat().read(path: badTime) }
    }

    @Test func recBoleInterFindsColumnsByName() throws {
        let path = tempFile("item_id:token\tuser_id:token\ttimestamp:float\nA\tu1\t2\nB\tu1\t1\nA\tu2\t1\n", name: "x.inter")
        let d = try Preprocessing().apply(to: try RecBoleInterFormat().read(path: path), name: "rb")
        #expect(d.userIDs == ["u1", "u2"])
        #expect(d.sequence(0).map { d.vocabulary.externalID($0) } == ["B", "A"])
        let noType = tempFile("user_id\titem_id\n1\t2\n", name: "y.inter")
        #expect(throws: DataError.self) { try RecBoleInterFormat().read(path: noType) }
        let short = tempFile("user_id:token\titem_id:token\n1\n", name: "z.inter")
        #expect(throws: DataError(file: short, line: 2, "expected 2 tab-separated fields, found 1")) {
            try RecBoleInterFormat().read(path: short)
        }
    }

    @Test func delimitedMapsColumnsAndValidatesChronology() throws {
        let path = tempFile("ts;item;user\n5;a;x\n7;b;x\n6;c;y\n")
        let f = DelimitedFormat(separator: ";", user: .name("user"), item: .name("item"), timestamp: .name("ts"),
                                requireChronological: true)
        let d = try Preprocessing().apply(to: try f.read(path: path), name: "csv")
        #expect(d.userCount == 2 && d.interactionCount == 3)
        let back = tempFile("ts;item;user\n5;a;x\n4;b;x\n")
        #expect(throws: DataError.self) { try f.read(path: back) }
        let missing = DelimitedFormat(separator: ";", user: .name("uid"), item: .name("item"))
        #expect(throws: DataError.self) { try missing.read(path: path) }
        let byIndex = DelimitedFormat(separator: ";", hasHeader: false, user: .index(2), item: .index(1))
        #expect(try byIndex.read(path: tempFile("5;a;x\n7;b;x\n")).count == 2)
    }

    @Test func iterativeKCoreRemovesUntilStable() throws {
        // Item 9 appears once; removing it leaves u3 with 1 item, which min-user 2 removes, which
        // leaves item 8 with one interaction... only an iterative filter reaches the fixed point.
        var log = InteractionLog(source: "k", hasTimestamps: false)
        for (u, items) in [(1, [1, 2]), (2, [1, 2]), (3, [9, 8]), (4, [8, 1])] {
            let user = log.users.intern(String(u))
            for i in items { log.append(user: user, item: log.items.intern(String(i)), timestamp: nil) }
        }
        let once = try Preprocessing(minUserInteractions: 2, minItemInteractions: 2, iterative: false).apply(to: log, name: "k")
        let core = try Preprocessing(minUserInteractions: 2, minItemInteractions: 2, iterative: true).apply(to: log, name: "k")
        #expect(core.userIDs == ["1", "2"] && core.vocabulary.externalIDs == ["1", "2"])
        #expect(once.interactionCount > core.interactionCount)
        #expect(throws: DataError.self) {
            try Preprocessing(minUserInteractions: 10).apply(to: log, name: "k")
        }
    }

    @Test func fingerprintIsStableAndSensitive() throws {
        let a = try dataset([[1, 2, 3], [2, 3]]), b = try dataset([[1, 2, 3], [2, 3]]), c = try dataset([[1, 3, 2], [2, 3]])
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint)
        #expect(a.fingerprint.description.hasPrefix("2u-3i-5x-"))
    }

    @Test func statisticsByHand() throws {
        // Lengths 1, 2, 5 → mean 8/3, median 2; item counts: 1→3, 2→2, 3→1, 4→1, 5→1 → all < 5.
        let d = try dataset([[1], [1, 2], [1, 2, 3, 4, 5]])
        let s = d.statistics
        #expect(s.users == 3 && s.items == 5 && s.interactions == 8)
        #expect(Swift.abs(s.meanLength - 8.0 / 3) < 1e-12 && s.medianLength == 2 && s.longTailPercent == 100)
        #expect(s.tableRow(name: "toy") == "| toy | 3 | 5 | 8 | 2.67 | 2 | 100.00% |")
    }

    @Test func leftPaddingKeepsTheMostRecentItemRightmost() {
        #expect(Padding.leftPadded([Int32(4), 5, 6], length: 5) == [0, 0, 4, 5, 6])
        #expect(Padding.leftPadded([Int32(1), 2, 3, 4, 5, 6], length: 4) == [3, 4, 5, 6])
    }

    @Test func syntheticIsDeterministicAndValidated() throws {
        let g = SyntheticDataset(users: 300, items: 80, seed: 5)
        #expect(try g.generate().fingerprint == g.generate().fingerprint)
        #expect(try g.generate().fingerprint != SyntheticDataset(users: 300, items: 80, seed: 6).generate().fingerprint)
        let d = try g.generate()
        #expect(d.userCount == 300 && (0..<300).allSatisfy { d.length($0) >= 5 })
        #expect(g.itemGenres().count == 80 && g.itemGenres().allSatisfy { !$0.isEmpty })
        #expect(throws: HyperparameterError.self) { try SyntheticDataset(followProbability: 2).generate() }
    }
}

@Suite struct SideInformationTests {
    @Test func itemGenresMapThroughTheVocabulary() throws {
        let d = try dataset([[1, 2, 3]])
        let path = tempFile("item\tgenres\n1\tAction|Comedy\n3\tComedy\n7\tDrama\n")
        let (g, skipped) = try ItemGenres.read(path: path, vocabulary: d.vocabulary)
        #expect(g.names == ["Action", "Comedy"] && skipped == 1)
        #expect(g.genres[1] == [0, 1] && g.genres[2] == [] && g.genres[3] == [1])
        let dup = tempFile("1\tA\n1\tB\n")
        #expect(throws: DataError(file: dup, line: 2, "item 1 listed twice")) { try ItemGenres.read(path: dup, vocabulary: d.vocabulary) }
    }

    @Test(.enabled(if: sharedDatasets() != nil, "needs ../shared/datasets"))
    func ml1mHas18Genres() throws {
        let split = try GSASRecPortSplit(directory: sharedDatasets()! + "/ml1m-gsasrec").load()
        let (g, skipped) = try ItemGenres.read(path: sharedDatasets()! + "/ml1m-gsasrec/item_genres.tsv",
                                               vocabulary: split.dataset.vocabulary)
        #expect(g.names.count == 18 && skipped == 0)
        #expect((1...3416).allSatisfy { !g.genres[$0].isEmpty })
    }

    @Test func formatRegistryNamesTheValidChoices() {
        #expect(throws: ConfigError.unknownComponent(family: "format", id: "parquet", valid: InteractionFormats.all)) {
            try InteractionFormats.make("parquet")
        }
    }

    @Test func syntheticScalesToAMillionItems() throws {
        let d = try SyntheticDataset(users: 2_000, items: 1_000_000, meanLength: 10, seed: 2).generate()
        #expect(d.vocabulary.itemCount == 1_000_000 && d.userCount == 2_000)
    }
}
