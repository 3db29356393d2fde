import Foundation
import SeqRecCore

/// How one of our numbers is judged against a published value.
///
/// Our ML-1M test has 512 users where the published one has 6,040, so sampling error alone is
/// 7–20 % of a ranking metric: such values are judged by `se` — reproduced when the published
/// value lies within two standard errors of ours (from the per-user values) plus half a unit of
/// the printed precision. Deterministic cells (statistics, memory) keep the thesis's ±5 %
/// (`relative`) or must match at the printed precision (`exact`).
public enum VerdictRule: String, CaseIterable, Sendable {
    /// |ours − published| ≤ 2·SE(ours) + ½ unit of the printed precision.
    case se
    /// |ours − published| ≤ tolerance·|published| (default tolerance 0.05), ours rounded as printed.
    case relative
    /// Ours rounded to the printed precision equals the published value.
    case exact
    /// |ours − published| ≤ absoluteTolerance.
    case absolute
    /// Shown for reference, not judged (e.g. Recall@1 of Popularity on another split).
    case reference

    /// The rule a published value uses: its own, else `absolute` when it gives an absolute
    /// tolerance, else `se` where the metric has a standard error and `relative` where not.
    public static func of(_ p: ExperimentSpec.Published, hasStandardError: Bool) -> VerdictRule {
        if let r = p.rule, let rule = VerdictRule(rawValue: r) { return rule }
        if p.absoluteTolerance != nil { return .absolute }
        return hasStandardError ? .se : .relative
    }

    /// Checks that the rule exists and applies to the metric, naming the key.
    public static func validate(_ p: ExperimentSpec.Published, at key: String, hasStandardError: Bool) throws {
        if p.source.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ConfigError.invalidValue(key: key + ".source", message: "a published value needs its source (table, row, column or sentence)")
        }
        if let r = p.rule, VerdictRule(rawValue: r) == nil {
            throw ConfigError.unknownComponent(family: "verdict rule (\(key).rule)", id: r, valid: allCases.map(\.rawValue))
        }
        let rule = of(p, hasStandardError: hasStandardError)
        if rule == .se && !hasStandardError {
            throw ConfigError.invalidValue(key: key + ".rule", message: "`se` needs a metric with per-user values; `\(p.metric)` has no standard error (use relative, exact, absolute or reference)")
        }
        if p.tolerance != nil && rule != .relative {
            throw ConfigError.invalidValue(key: key + ".tolerance", message: "applies to the `relative` rule only, not `\(rule.rawValue)`")
        }
        if p.absoluteTolerance != nil && rule != .absolute {
            throw ConfigError.invalidValue(key: key + ".absoluteTolerance", message: "applies to the `absolute` rule only, not `\(rule.rawValue)`")
        }
        if rule == .absolute && p.absoluteTolerance == nil {
            throw ConfigError.missingKey(section: key, key: "absoluteTolerance")
        }
        if let t = p.tolerance, !(t >= 0 && t < 1) { throw ConfigError.invalidValue(key: key + ".tolerance", message: "must be in [0, 1)") }
        if let t = p.absoluteTolerance, !(t >= 0 && t.isFinite) { throw ConfigError.invalidValue(key: key + ".absoluteTolerance", message: "must be ≥ 0") }
        if let f = p.factor, !(f > 0 && f.isFinite) { throw ConfigError.invalidValue(key: key + ".factor", message: "must be > 0") }
        if let text = p.printed, let v = Self.leadingNumber(text), Swift.abs(v - p.value) > 1e-9 * Swift.max(1, Swift.abs(v)) {
            throw ConfigError.invalidValue(key: key + ".printed", message: "`\(text)` does not show the value \(p.value)")
        }
    }

    /// Digits after the decimal point of the printed value (`printed`, else the value's shortest form).
    public static func decimals(_ p: ExperimentSpec.Published) -> Int {
        let text = p.printed.flatMap(numberText) ?? numberText(String(p.value)) ?? ""
        guard let dot = text.firstIndex(of: ".") else { return 0 }
        let digits = text[text.index(after: dot)...]
        return digits.allSatisfy { $0 == "0" } && p.printed == nil ? 0 : digits.count
    }

    /// The first number in a printed value, without thousands separators (`"1,280,969"` → 1280969).
    public static func leadingNumber(_ text: String) -> Double? { numberText(text).flatMap { Double($0) } }

    private static func numberText(_ text: String) -> String? {
        if text.contains("e") || text.contains("E") { return nil }
        var out = "", started = false
        for ch in text {
            if ch.isNumber || ch == "." || (ch == "-" && !started) { out.append(ch); started = started || ch.isNumber }
            else if ch == "," && started { continue }
            else if started { break }
        }
        return started ? out : nil
    }

    /// The verdict: passed or not, with the band it used (`within 2 SE`, `outside ±5%`, …);
    /// nil for `reference`.
    public static func judge(_ p: ExperimentSpec.Published, ours: Double, standardError: Double?, hasStandardError: Bool)
        -> (passed: Bool, band: String)? {
        let rule = of(p, hasStandardError: hasStandardError)
        let x = ours * (p.factor ?? 1)
        let unit = pow(10, -Double(decimals(p)))
        func rounded(_ v: Double) -> Double { (v / unit).rounded() * unit }
        switch rule {
        case .reference: return nil
        case .se:
            guard let se = standardError else { return (false, "2 SE (no standard error)") }
            let band = 2 * se * (p.factor ?? 1) + unit / 2
            return (Swift.abs(x - p.value) <= band + 1e-12, String(format: "2 SE (±%.4g)", band))
        case .relative:
            let tol = p.tolerance ?? 0.05
            let ok = Report.verdict(ours: rounded(x), published: p.value, tolerance: tol).passed
            return (ok, "±" + String(format: "%g", tol * 100) + "%")
        case .exact:
            return (Swift.abs(rounded(x) - p.value) <= unit * 1e-6, "exact at \(decimals(p)) decimals")
        case .absolute:
            let tol = p.absoluteTolerance ?? 0
            return (Swift.abs(x - p.value) <= tol + 1e-12, "±" + String(format: "%g", tol))
        }
    }
}
