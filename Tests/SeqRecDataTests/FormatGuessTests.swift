import Foundation
import SeqRecData
import Testing

/// A wrong `--format` is answered with the format the file looks like.
@Suite struct FormatGuessTests {
    static let dir: String = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-guess-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    static func file(_ name: String, _ text: String) -> String {
        let p = dir + "/" + name
        try! text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    @Test func firstLinesAreRecognised() {
        let cases: [(String, String, String?)] = [
            ("user_id:token\titem_id:token\trating:float\ttimestamp:float", "x.inter", "recbole-inter"),
            ("1::1193::5::978300760", "ratings.dat", "grouplens"),
            ("userId,movieId,rating,timestamp", "ratings.csv", "grouplens"),
            ("u1 i7", "beauty.txt", "user-item"),
            ("42\t1193", "pairs.tsv", "user-item"),
            ("customer;product;date", "orders.csv", "delimited"),
            ("3,17,1234", "plain.csv", "delimited"),
            ("just-one-token", "odd.txt", nil),
        ]
        for (line, name, format) in cases {
            #expect(FormatGuess.guess(firstLine: line, fileName: name)?.format == format, "\(line)")
        }
        // Text in the first line is a header only where the data below it has numbers, or where it names columns.
        #expect(FormatGuess.guess(firstLine: "u1,10", secondLine: "u1,11", fileName: "pairs.csv")!.options
                == "--separator ',' --no-header --user-column 0 --item-column 1")
        #expect(FormatGuess.guess(firstLine: "uid,iid", secondLine: "7,10", fileName: "pairs.csv")!.looksLike.contains("with the header"))
        #expect(FormatGuess.guess(firstLine: "user,item", secondLine: "u1,i1", fileName: "pairs.csv")!.looksLike.contains("with the header"))
        let d = FormatGuess.guess(firstLine: "customer;product;date", fileName: "orders.csv")!
        #expect(d.options == "--separator ';' --user-column customer --item-column product --time-column date")
        #expect(FormatGuess.guess(firstLine: "3,17,1234", fileName: "p.csv")!.options == "--separator ',' --no-header --user-column 0 --item-column 1")
    }

    @Test func aLoadUnderTheWrongFormatSuggestsTheRightOne() throws {
        let inter = Self.file("ml.inter", "\u{FEFF}user_id:token\titem_id:token\ttimestamp:float\n1\t10\t5\n1\t11\t6\n")
        do {
            _ = try DatasetSource.path(inter, format: "user-item", name: "ml").dataset()
            Issue.record("read a RecBole file as user-item")
        } catch let e as DataError {
            #expect("\(e)".contains("looks like a RecBole .inter file") && "\(e)".hasSuffix("try --format recbole-inter"), "\(e)")
            #expect(e.line == 1)
        }
        let pairs = Self.file("pairs.txt", "u1 10\nu1 11\nu2 10\nu2 12\n")
        do {
            _ = try DatasetSource.path(pairs, format: "grouplens", name: "p").dataset()
            Issue.record("read a user-item file as grouplens")
        } catch let e as DataError { #expect("\(e)".hasSuffix("looks like a `user item` file: try --format user-item"), "\(e)") }
        do {
            _ = try DatasetSource.path(pairs, format: "gsasrec-split", name: "p").split()
            Issue.record("read a file as a split directory")
        } catch let e as DataError { #expect("\(e)".contains("try --format user-item"), "\(e)") }
        // The right format loads; no hint is added to errors of a file in the format given.
        #expect(try DatasetSource.path(inter, format: "recbole-inter", name: "ml").dataset().interactionCount == 2)
        let bad = Self.file("bad.txt", "u1 10\nu1\n")
        do { _ = try DatasetSource.path(bad, format: "user-item", name: "b").dataset() } catch let e as DataError {
            #expect(!"\(e)".contains("looks like") && e.line == 2)
        }
    }

    @Test func aSplitDirectoryGivenAsAFileFormatIsRecognised() throws {
        let split = Self.dir + "/split"
        try FileManager.default.createDirectory(atPath: split + "/train", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: split + "/test", withIntermediateDirectories: true)
        try "{}".write(toFile: split + "/dataset_stats.json", atomically: true, encoding: .utf8)
        #expect(FormatGuess.guess(path: split)?.format == "gsasrec-split")
        do {
            _ = try DatasetSource.path(split, format: "user-item", name: "s").dataset()
            Issue.record("read a directory as a file")
        } catch let e as DataError { #expect("\(e)".contains("try --format gsasrec-split"), "\(e)") }
    }
}
