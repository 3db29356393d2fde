import Foundation
import SeqRecCore

/// The metrics a user names on the command line or in a spec, e.g.
/// `ndcg@10,recall@1,ild@10,pcount@10,npcount@10,ece,sampled-pop100:ndcg@10`: per-case metrics
/// from `Metrics.registry` (`id@K`, K defaulting to 10), plus
/// - `npcount@K`: PCOUNT@K divided by the popularity recommender's on the same cases (§8.7.4);
/// - `ece`: expected calibration error over the top-10 (needs the model's probability transform);
/// - `sampled-popN:<metric>`: the metric ranked among N popularity-sampled negatives (§3.4.4).
public struct MetricSelection: Sendable {
    /// Per-case metrics to evaluate (PCOUNT is added for every `npcount`).
    public let metrics: [any Metric]
    /// The names to report, in the order given.
    public let names: [String]
    /// K of every `npcount@K`.
    public let normalizedPCOUNT: [Int]
    /// Whether `ece` was asked for.
    public let calibration: Bool
    /// Popularity-sampled evaluation, when a `sampled-popN:` metric was asked for.
    public let sampling: PopularitySampling?

    /// Parses a comma-separated list; `key` names the option or spec key in errors.
    /// - Throws: `ConfigError` naming the key, the unknown id and the valid ones; ILD without
    ///   genres is an error saying where genres come from.
    public static func parse(_ text: String, key: String, context: MetricContext, samplingSeed: UInt64 = 31_337) throws -> MetricSelection {
        var metrics: [any Metric] = [], names: [String] = [], npcount: [Int] = [], ece = false
        var sampledN: Int? = nil
        func add(_ m: any Metric) { if !metrics.contains(where: { $0.name == m.name }) { metrics.append(m) } }
        let valid = Metrics.ids.map { $0 == "mrr" ? $0 : $0 + "@K" } + ["npcount@K", "ece", "sampled-popN:<metric>"]
        for raw in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !raw.isEmpty {
            var item = raw
            var sampled = false
            if item.hasPrefix("sampled-pop"), let colon = item.firstIndex(of: ":") {
                let n = Int(item[item.index(item.startIndex, offsetBy: 11)..<colon])
                guard let n, n >= 1 else {
                    throw ConfigError.invalidValue(key: key, message: "`\(raw)`: the sampled prefix is `sampled-popN:` with N ≥ 1 negatives")
                }
                if let s = sampledN, s != n { throw ConfigError.invalidValue(key: key, message: "one number of sampled negatives per evaluation (\(s) and \(n))") }
                sampledN = n
                sampled = true
                item = String(item[item.index(after: colon)...])
            }
            let parts = item.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, !parts[0].isEmpty else { throw ConfigError.unknownComponent(family: "metric (\(key))", id: raw, valid: valid) }
            var k: Int? = nil
            if parts.count == 2 {
                guard let v = Int(parts[1]), v >= 1 else {
                    throw ConfigError.invalidValue(key: key, message: "`\(raw)`: K must be a whole number ≥ 1")
                }
                k = v
            }
            switch parts[0] {
            case "ece":
                guard !sampled, k == nil || k == 10 else { throw ConfigError.invalidValue(key: key, message: "`\(raw)`: ECE is over the full-catalogue top-10") }
                ece = true
                names.append("ece")
            case "npcount":
                guard !sampled else { throw ConfigError.invalidValue(key: key, message: "`\(raw)`: nPCOUNT is over the full-catalogue list") }
                let kk = k ?? 10
                add(try Metrics.make(MetricSpec(id: "pcount", k: kk), context: context))
                if !npcount.contains(kk) { npcount.append(kk) }
                names.append("npcount@\(kk)")
            default:
                guard Metrics.registry.ids.contains(parts[0]) else {
                    throw ConfigError.unknownComponent(family: "metric (\(key))", id: raw, valid: valid)
                }
                let m: any Metric
                do { m = try Metrics.make(MetricSpec(id: parts[0], k: k), context: context) } catch let e as ConfigError {
                    throw ConfigError.invalidValue(key: key, message: "`\(raw)`: \(e)")
                }
                if sampled && (m is ILD || m is PCOUNT) {
                    throw ConfigError.invalidValue(key: key, message: "`\(raw)`: beyond-accuracy metrics are over the full-catalogue list")
                }
                add(m)
                names.append(sampled ? "sampled-pop\(sampledN!):" + m.name : m.name)
            }
        }
        guard !names.isEmpty else { throw ConfigError.invalidValue(key: key, message: "name at least one metric") }
        return MetricSelection(metrics: metrics, names: names, normalizedPCOUNT: npcount, calibration: ece,
                               sampling: sampledN.map { PopularitySampling(negatives: $0, seed: samplingSeed) })
    }
}
