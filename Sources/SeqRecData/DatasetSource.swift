import Foundation
import SeqRecCore

/// Where a dataset comes from and how it is prepared — the one loading path of the CLI and
/// the experiment harness: a file in a registered format (filtered by `minUser` / `minItem`,
/// then split leave-one-out with `validationUsers` sampled validation cases), the gSASRec
/// port's pre-split directory, or the seeded synthetic generator.
public struct DatasetSource: Sendable {
    public enum Origin: Sendable {
        case synthetic(SyntheticDataset)
        /// A file and its format (`InteractionFormats.all`).
        case file(path: String, format: String, options: FormatOptions)
        /// The gSASRec PyTorch port's split directory (comes pre-split).
        case gsasrecSplit(directory: String)
    }

    /// The format id of the gSASRec port's split directory.
    public static let gsasrecSplitFormat = "gsasrec-split"
    /// Every format a source can name: the file formats and the port's split directory.
    public static var formats: [String] { InteractionFormats.all + [gsasrecSplitFormat] }

    public var origin: Origin
    /// The name in tables, results and the fingerprint's provenance.
    public var name: String
    public var minUserInteractions = 0
    public var minItemInteractions = 0
    /// Validation cases sampled from the leave-one-out split (nil = every user).
    public var validationUsers: Int?
    /// Where a binary copy of a parsed file is kept for the next load (nil = parse every time).
    public var cache: DatasetCache?
    /// Told when a cache entry was found unusable and rebuilt (e.g. to print a warning).
    public var cacheNotice: (@Sendable (String) -> Void)?

    public init(origin: Origin, name: String, minUserInteractions: Int = 0, minItemInteractions: Int = 0, validationUsers: Int? = nil) {
        self.origin = origin
        self.name = name
        self.minUserInteractions = minUserInteractions
        self.minItemInteractions = minItemInteractions
        self.validationUsers = validationUsers
    }

    /// A file or split directory by format id.
    /// - Throws: `ConfigError.unknownComponent` listing the formats.
    public static func path(_ path: String, format: String, options: FormatOptions = FormatOptions(), name: String) throws -> DatasetSource {
        if format == gsasrecSplitFormat { return DatasetSource(origin: .gsasrecSplit(directory: path), name: name) }
        guard InteractionFormats.all.contains(format) else {
            throw ConfigError.unknownComponent(family: "format", id: format, valid: formats)
        }
        return DatasetSource(origin: .file(path: path, format: format, options: options), name: name)
    }

    /// The preprocessed interaction sequences (not for a split directory, which comes pre-split).
    public func dataset() throws -> SequenceDataset {
        do { return try loadDataset() } catch let e as DataError { throw hinted(e) }
    }

    /// The dataset and its Table 2.1 statistics, with the fingerprint computed (one thread) while
    /// the statistics are (another): what `seqrec stats` prints.
    public func datasetAndStatistics() throws -> (SequenceDataset, DatasetStatistics) {
        // On a first load into the cache the statistics are computed beside the fingerprint there.
        var early: DatasetStatistics? = nil
        let d: SequenceDataset
        do { d = try loadDataset(alongside: { early = $0.statistics }) } catch let e as DataError { throw hinted(e) }
        guard d.knownFingerprint == nil else { return (d, early ?? d.statistics) }
        var fingerprint: DatasetFingerprint? = nil, statistics: DatasetStatistics? = nil
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            if k == 0 { fingerprint = d.fingerprint } else { statistics = d.statistics }
        }
        return (d.with(fingerprint: fingerprint!), statistics!)
    }

    /// A load error with the format the data looks like, when that is not the one given.
    func hinted(_ error: DataError) -> DataError {
        switch origin {
        case .synthetic: return error
        case .file(let path, let format, _): return FormatGuess.annotate(error, path: path, format: format)
        case .gsasrecSplit(let directory): return FormatGuess.annotate(error, path: directory, format: DatasetSource.gsasrecSplitFormat)
        }
    }

    /// - Parameter alongside: run on the dataset beside its fingerprint when it is stored in the
    ///   cache (not called otherwise).
    private func loadDataset(alongside: ((SequenceDataset) -> Void)? = nil) throws -> SequenceDataset {
        switch origin {
        case .synthetic(let generator): return try generator.generate()
        case .file(let path, let format, let options):
            let preprocessing = Preprocessing(minUserInteractions: minUserInteractions, minItemInteractions: minItemInteractions)
            let key = cache?.key(path: path, settings: "format=\(format); options=\(options); \(preprocessing); name=\(name)")
            if let cache, let key {
                let (hit, rejected) = cache.load(key: key)
                if let hit { return hit }
                if let rejected { cacheNotice?("dataset cache: \(rejected); parsing \(path) again") }
            }
            let reader = try InteractionFormats.make(format, options: options)
            var dataset = try preprocessing.apply(to: reader.read(path: path), name: name)
            if let cache, let key {
                do { dataset = try cache.store(fingerprinting: dataset, key: key, alongside: alongside) } catch {
                    cacheNotice?("dataset cache: not written (\(error))")
                }
            }
            return dataset
        case .gsasrecSplit(let directory):
            return try GSASRecPortSplit(directory: directory).load().dataset
        }
    }

    /// The split: leave-one-out, or the port's own.
    public func split() throws -> DatasetSplit { try load(statistics: false).split }

    /// The split and the thesis's Table 2.1 statistics of the data.
    public func load() throws -> (split: DatasetSplit, statistics: DatasetStatistics) {
        let r = try load(statistics: true)
        return (r.split, r.statistics!)
    }

    private func load(statistics: Bool) throws -> (split: DatasetSplit, statistics: DatasetStatistics?) {
        if case .gsasrecSplit(let directory) = origin {
            let port = GSASRecPortSplit(directory: directory)
            do {
                let split = try port.load()
                return (split, statistics ? try port.statistics(of: split) : nil)
            } catch let e as DataError { throw hinted(e) }
        }
        let d = try dataset()
        return (try LeaveOneOut(validationUsers: validationUsers).split(d), statistics ? d.statistics : nil)
    }
}
