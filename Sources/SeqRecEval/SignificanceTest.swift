#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Significance tests over per-user metric vectors.
public enum SignificanceTest {
    /// The outcome of one test.
    public struct Result: Sendable, Equatable, Codable {
        public let statistic: Double
        public let degreesOfFreedom: Double
        /// Two-tailed p-value, after any Bonferroni correction (capped at 1).
        public let pValue: Double
        /// p < α.
        public let significant: Bool
    }

    /// Paired two-tailed t-test (the thesis's convention, marked † in its tables) with
    /// Bonferroni correction: p × `comparisons`.
    /// - Precondition: equal lengths ≥ 2.
    public static func pairedT(_ a: [Double], _ b: [Double], comparisons: Int = 1, alpha: Double = 0.05) -> Result {
        require(a.count == b.count && a.count >= 2, "pairedT: needs two vectors of equal length ≥ 2, got \(a.count) and \(b.count)")
        let d = zip(a, b).map { $0 - $1 }
        let n = Double(d.count)
        let mean = d.reduce(0, +) / n
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let df = n - 1
        if variance == 0 {
            let p = mean == 0 ? 1.0 : 0.0
            return Result(statistic: mean == 0 ? 0 : (mean > 0 ? .infinity : -.infinity), degreesOfFreedom: df,
                          pValue: p, significant: p < alpha)
        }
        let t = mean / (variance / n).squareRoot()
        let p = Swift.min(1, twoTailedP(t: t, df: df) * Double(comparisons))
        return Result(statistic: t, degreesOfFreedom: df, pValue: p, significant: p < alpha)
    }

    /// Independent two-sample Student t-test with pooled (equal) variances — what the authors'
    /// code actually ran (`scipy.stats.ttest_ind`, reference-facts §6.3) — with Bonferroni.
    public static func unpairedStudentT(_ a: [Double], _ b: [Double], comparisons: Int = 1,
                                        alpha: Double = 0.05) -> Result {
        require(a.count >= 2 && b.count >= 2, "unpairedStudentT: each sample needs ≥ 2 values")
        let na = Double(a.count), nb = Double(b.count)
        let ma = a.reduce(0, +) / na, mb = b.reduce(0, +) / nb
        let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
        let df = na + nb - 2
        let pooled = (va + vb) / df
        if pooled == 0 {
            let p = ma == mb ? 1.0 : 0.0
            return Result(statistic: ma == mb ? 0 : .infinity, degreesOfFreedom: df, pValue: p, significant: p < alpha)
        }
        let t = (ma - mb) / (pooled * (1 / na + 1 / nb)).squareRoot()
        let p = Swift.min(1, twoTailedP(t: t, df: df) * Double(comparisons))
        return Result(statistic: t, degreesOfFreedom: df, pValue: p, significant: p < alpha)
    }

    /// P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
    public static func twoTailedP(t: Double, df: Double) -> Double {
        guard t.isFinite else { return 0 }
        return regularizedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
    }

    /// I_x(a, b) by its continued fraction (modified Lentz), using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges faster.
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
        if x > (a + 1) / (a + b + 2) {
            return 1 - regularizedIncompleteBeta(x: 1 - x, a: b, b: a)
        }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if Swift.abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...500 {
            let m = Double(m)
            // Even step.
            var num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + num * d; if Swift.abs(d) < tiny { d = tiny }
            c = 1 + num / c; if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            f *= d * c
            // Odd step.
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + num * d; if Swift.abs(d) < tiny { d = tiny }
            c = 1 + num / c; if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if Swift.abs(delta - 1) < 1e-15 { break }
        }
        return exp(lnFront) * f / a
    }
}

import SeqRecCore

/// The standard error of a mean over test users: the sampling error a published value is
/// judged against (a 512-user test has a larger one than the 6,040-user test of the thesis).
public enum StandardError {
    /// Sample standard deviation / √n; 0 for fewer than two values.
    public static func ofMean(_ values: [Double]) -> Double {
        let n = Double(values.count)
        guard n > 1 else { return 0 }
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (variance / n).squareRoot()
    }
}
