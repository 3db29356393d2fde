import Foundation
import SeqRecCore
import SeqRecData
import SeqRecModels
import SeqRecTensor

/// Small valid inputs of every format the tool reads, the seeds the fuzzer mutates.
enum FuzzCorpus {
    /// 24 users, 2–9 interactions each, items 1–30, timestamps increasing per user.
    static let sequences: [[Int]] = (0..<24).map { u in (0..<(2 + u % 8)).map { k in 1 + (u * 7 + k * 11) % 30 } }

    static var userItem: String { lines { u, i, _ in "\(u) \(i)" } }
    static var groupLensDat: String { lines { u, i, t in "\(u)::\(i)::\(1 + (u + i) % 5)::\(t)" } }
    static var groupLensCSV: String { "userId,movieId,rating,timestamp\n" + lines { u, i, t in "\(u),\(i),\(Double(1 + i % 5) / 2),\(t)" } }
    static var recBole: String {
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n" + lines { u, i, t in "u\(u)\tm\(i)\t4.0\t\(t)" }
    }
    static var delimitedHeader: String { "user;item;time\n" + lines { u, i, t in "user \(u);item-\(i);\(t)" } }
    static var delimitedNoHeader: String { lines { u, i, t in "\(t)|\(u)|\(i)" } }

    private static func lines(_ row: (Int, Int, Int) -> String) -> String {
        var out = ""
        for (u, s) in sequences.enumerated() {
            for (k, i) in s.enumerated() { out += row(u + 1, i, 978_300_000 + u * 1_000 + k * 60) + "\n" }
        }
        return out
    }

    /// The files of a gSASRec-port split directory (every 3rd user validates), by relative path.
    static var gsasrecSplit: [String: String] {
        var train = "", valIn = "", valOut = "", testIn = "", testOut = ""
        for (u, s0) in sequences.enumerated() {
            let s = s0.count < 4 ? s0 + [5, 9] : s0
            func text(_ a: ArraySlice<Int>) -> String { a.map(String.init).joined(separator: " ") + "\n" }
            let validates = u % 3 == 0
            train += text(s.dropLast(validates ? 3 : 2))
            if validates {
                valIn += text(s.dropLast(2))
                valOut += "\(s[s.count - 2])\n"
            }
            testIn += text(s.dropLast())
            testOut += "\(s.last!)\n"
        }
        return ["train/input.txt": train, "val/input.txt": valIn, "val/output.txt": valOut,
                "test/input.txt": testIn, "test/output.txt": testOut, "dataset_stats.json": "{\"num_items\": 40}\n"]
    }

    /// A run config touching every section.
    static let runConfig = """
        {"model": {"id": "sasrec", "maxLength": 20, "dim": 16, "blocks": 1, "heads": 2, "dropout": 0.1, "seed": 7},
         "objective": {"id": "shifted"},
         "loss": {"id": "gbce", "negatives": 8, "t": 0.75},
         "training": {"batchSize": 32, "batchesPerEpoch": 10, "maxEpochs": 5, "patience": 2, "learningRate": 0.001,
                      "beta2": 0.98, "wallClockSeconds": 60, "seed": 3}}
        """

    /// A BERT4Rec run config.
    static let bertConfig = """
        {"model": {"id": "bert4rec", "maxLength": 20, "dim": 16, "blocks": 1, "heads": 2, "intermediate": 32},
         "objective": {"id": "item-masking", "maskingProbability": 0.2, "maxMasks": 4},
         "loss": {"id": "softmax"}, "training": {"batchSize": 16}}
        """

    /// A model checkpoint file (a small SASRec).
    static func checkpoint() throws -> Data {
        let config = try RunConfig.decode(Data(runConfig.utf8))
        let vocabulary = try ItemVocabulary(externalIDs: (1...30).map(String.init))
        let model = try Models.make(config.model, vocabularySize: vocabulary.size)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-fuzz-seed-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelCheckpoint.save(model, metadata: ModelCheckpoint.metadata(config: config, fingerprint: "fuzz", vocabulary: vocabulary,
                                                                           environment: RunEnvironment.capture()), to: path)
        return FileManager.default.contents(atPath: path)!
    }

    /// An experiment spec touching every section (multi-line, so line mutations bite).
    static let experimentSpec = """
        {"id": "fuzz", "title": "fuzz spec", "kind": "training", "source": "made up",
         "datasets": [{"name": "syn", "synthetic": {"users": 300, "items": 60, "meanLength": 15, "seed": 2}, "validationUsers": 60}],
         "metrics": ["ndcg@10", "recall@10"],
         "seeds": [1, 2],
         "scales": {"smoke": {"description": "tiny", "config": {"model": {"maxLength": 10, "dim": 16, "blocks": 1},
                    "training": {"batchSize": 32, "batchesPerEpoch": 8, "maxEpochs": 6}}, "expectedMinutes": 0.1,
                    "rowConfig": {"gsasrec": {"loss": {"negatives": 8}}}},
                    "full": {"description": "all", "expectedMinutes": 10}},
         "rows": [{"id": "popularity", "group": "popularity"},
                  {"id": "sasrec", "preset": "sasrec-port"},
                  {"id": "gsasrec", "preset": "gsasrec-port", "config": {"loss": {"negatives": 16}}}],
         "published": [{"row": "sasrec", "metric": "ndcg@10", "value": 0.2, "source": "invented"}],
         "checks": [{"kind": "greater", "metric": "ndcg@10", "row": "sasrec", "than": "popularity", "scales": ["full"]}]}
        """

    /// A run that trained one epoch: its config (with room for one more epoch), split, and the
    /// files of its run directory that `--resume` reads.
    static func resumableRun() throws -> (config: RunConfig, split: DatasetSplit, files: [String: [UInt8]]) {
        var config = try RunConfig.decode(Data(runConfig.utf8))
        config.training.batchSize = 8
        config.training.batchesPerEpoch = 1
        config.training.maxEpochs = 1
        let split = try LeaveOneOut(validationUsers: 10).split(try SyntheticDataset(users: 40, items: 30, meanLength: 8, seed: 1).generate())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seqrec-fuzz-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try TrainingRun(config: config, split: split, dataset: "fuzz", directory: dir).run()
        config.training.maxEpochs = 2
        var files: [String: [UInt8]] = [:]
        for name in ["training-state.safetensors", "model.safetensors"] {
            // The same bytes on every run and machine (so a seed names the same cases): the
            // metadata's timings and environment (commit, host, threads) are blanked.
            let contents = try SafeTensors.readContents(path: dir + "/" + name)
            let metadata = contents.metadata.mapValues { $0.hasPrefix("{") ? blankedVolatile($0) : $0 }
            try SafeTensors.write(contents.tensors, bytes: contents.bytes, metadata: metadata, to: dir + "/" + name)
            files[name] = [UInt8](FileManager.default.contents(atPath: dir + "/" + name)!)
        }
        return (config, split, files)
    }

    /// A metadata JSON object with its run-dependent values (seconds, the environment) fixed.
    static func blankedVolatile(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) else { return json }
        func blank(_ v: Any, key: String) -> Any {
            if let d = v as? [String: Any] { return Dictionary(uniqueKeysWithValues: d.map { ($0, blank($1, key: $0)) }) }
            if let a = v as? [Any] { return a.map { blank($0, key: key) } }
            let k = key.lowercased()
            if k.contains("dirty") { return false }
            if v is NSNumber, k.contains("seconds") || k.contains("thread") { return 0 }
            if v is String, ["commit", "host", "date", "time", "machine", "cpu", "blas", "os", "swift"].contains(where: k.contains) { return "fuzz" }
            return v
        }
        guard let data = try? JSONSerialization.data(withJSONObject: blank(object, key: ""), options: [.sortedKeys]) else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}

