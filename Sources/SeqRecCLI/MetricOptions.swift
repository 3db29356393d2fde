import ArgumentParser
import Foundation
import SeqRecCore
import SeqRecData
import SeqRecEval

/// `--metrics` and what the beyond-accuracy metrics need: item genres for ILD, training
/// popularity for PCOUNT / nPCOUNT, a sampler seed for `sampled-popN:` metrics.
struct MetricOptions: ParsableArguments {
    @Option(help: "Comma-separated metrics: ndcg@K, recall@K, precision@K, mrr, ild@K, pcount@K, npcount@K, ece, sampled-popN:<metric>.")
    var metrics = "ndcg@10,recall@1,recall@10,mrr"

    @Option(help: "Item genres for ILD (`item<TAB>genre|genre|…`); default: item_genres.tsv of a gsasrec-split directory, or the synthetic dataset's genres.")
    var genres: String?

    @Option(help: "Seed of the popularity sampler of sampled-popN: metrics.")
    var sampledSeed: UInt64 = 31_337

    /// The parsed selection for this split (genres and popularity resolved only when needed).
    func selection(split: DatasetSplit, data: DatasetOptions) throws -> MetricSelection {
        let wantsILD = metrics.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("ild") }
        let context = MetricContext(itemGenres: wantsILD ? try itemGenres(split.dataset, data: data) : nil,
                                    popularity: split.trainItemShares())
        return try MetricSelection.parse(metrics, key: "--metrics", context: context, samplingSeed: sampledSeed)
    }

    /// Genres per internal id: `--genres`, else the dataset's own.
    func itemGenres(_ dataset: SequenceDataset, data: DatasetOptions) throws -> [[Int]] {
        var file = genres
        if file == nil, let path = data.path, data.format == "gsasrec-split", FileManager.default.fileExists(atPath: path + "/item_genres.tsv") {
            file = path + "/item_genres.tsv"
        }
        guard let file else {
            guard data.path == nil else {
                throw ValidationError("--metrics ild@K needs item genres: give --genres FILE (`item<TAB>genre|genre|…`)")
            }
            return ItemGenres.of(SyntheticDataset(), vocabulary: dataset.vocabulary)
        }
        return try ItemGenres.matching(path: file, vocabulary: dataset.vocabulary, key: "--genres")
    }
}
