import Foundation

/// Self-contained SVG figures in the thesis's style: line charts with optional log axes and a
/// legend (Figs. 7.2, 7.4, 7.5, 5.4, 5.7, 5.8) and annotated heatmaps (Figs. 5.5, 5.9, 6.4, 4.9).
/// Well-formed XML that opens in any browser; no scripts, no external resources.
public enum SVGChart {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func fmt(_ v: Double) -> String {
        let a = Swift.abs(v)
        if a != 0 && (a >= 1e3 || a < 1e-2) {
            let e: Int = Int(Foundation.log10(a).rounded(.down))
            let m: Double = v / Foundation.pow(10.0, Double(e))
            return Swift.abs(m - 1) < 1e-9 ? "1e\(e)" : String(format: "%.3ge%d", m, e)
        }
        return String(format: "%.3g", v)
    }

    /// Powers of ten across a log axis, or six even ticks.
    static func ticks(_ lo: Double, _ hi: Double, log: Bool) -> [Double] {
        var out: [Double] = []
        if log {
            var e: Double = lo
            while e <= hi + 1e-9 { out.append(Foundation.pow(10.0, e)); e += 1 }
        } else {
            for k in 0...5 { out.append(lo + (hi - lo) * Double(k) / 5.0) }
        }
        return out
    }

    /// A line chart; each series is (name, points sorted by x).
    public static func line(title: String, xLabel: String, yLabel: String, series: [(String, [(Double, Double)])],
                            logX: Bool, logY: Bool, width: Double = 720, height: Double = 460) -> String {
        let left = 80.0, right = 190.0, top = 50.0, bottom = 60.0
        let pw = width - left - right, ph = height - top - bottom
        let pts = series.flatMap(\.1).filter { (!logX || $0.0 > 0) && (!logY || $0.1 > 0) }
        func t(_ v: Double, _ log: Bool) -> Double { log ? log10(v) : v }
        var x0 = pts.map { t($0.0, logX) }.min() ?? 0, x1 = pts.map { t($0.0, logX) }.max() ?? 1
        var y0 = pts.map { t($0.1, logY) }.min() ?? 0, y1 = pts.map { t($0.1, logY) }.max() ?? 1
        if logX { x0 = x0.rounded(.down); x1 = x1.rounded(.up) }
        if logY { y0 = y0.rounded(.down); y1 = y1.rounded(.up) } else { y0 = Swift.min(0, y0); y1 = y1 + (y1 - y0) * 0.05 }
        if x1 == x0 { x1 = x0 + 1 }
        if y1 == y0 { y1 = y0 + 1 }
        func px(_ x: Double) -> Double { left + (t(x, logX) - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + ph - (t(y, logY) - y0) / (y1 - y0) * ph }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"\(title.count > 70 ? 12 : 15)\">\(esc(title))</text>\n"
        // Grid and ticks.
        let xticks: [Double] = ticks(x0, x1, log: logX)
        let yticks: [Double] = ticks(y0, y1, log: logY)
        for x in xticks {
            s += "<line x1=\"\(px(x))\" y1=\"\(top)\" x2=\"\(px(x))\" y2=\"\(top + ph)\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(px(x))\" y=\"\(top + ph + 18)\" text-anchor=\"middle\">\(fmt(x))</text>\n"
        }
        for y in yticks {
            s += "<line x1=\"\(left)\" y1=\"\(py(y))\" x2=\"\(left + pw)\" y2=\"\(py(y))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(left - 8)\" y=\"\(py(y) + 4)\" text-anchor=\"end\">\(fmt(y))</text>\n"
        }
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(pw)\" height=\"\(ph)\" fill=\"none\" stroke=\"black\"/>\n"
        s += "<text x=\"\(left + pw / 2)\" y=\"\(height - 18)\" text-anchor=\"middle\">\(esc(xLabel))\(logX ? " (log scale)" : "")</text>\n"
        s += "<text transform=\"translate(20 \(top + ph / 2)) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))\(logY ? " (log scale)" : "")</text>\n"
        for (i, (name, points)) in series.enumerated() {
            let color = palette[i % palette.count]
            let valid = points.filter { (!logX || $0.0 > 0) && (!logY || $0.1 > 0) }
            let path = valid.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " ")
            s += "<g class=\"series\" data-name=\"\(esc(name))\">\n"
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            for p in valid { s += "<circle cx=\"\(px(p.0))\" cy=\"\(py(p.1))\" r=\"3.5\" fill=\"\(color)\"><title>\(esc(name)): \(fmt(p.0)), \(fmt(p.1))</title></circle>\n" }
            s += "</g>\n"
            let ly = top + 10 + Double(i) * 20
            s += "<line x1=\"\(left + pw + 15)\" y1=\"\(ly)\" x2=\"\(left + pw + 40)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(left + pw + 46)\" y=\"\(ly + 4)\">\(esc(name))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// A heatmap with a value in every cell (nil = not run); rows = ys top to bottom.
    public static func heatmap(title: String, xLabel: String, yLabel: String, xs: [String], ys: [String],
                               values: [[Double?]], metric: String) -> String {
        let cw = 90.0, ch = 44.0, left = 110.0, top = 60.0
        let width = left + cw * Double(xs.count) + 120, height = top + ch * Double(ys.count) + 70
        let all = values.flatMap { $0 }.compactMap { $0 }
        let lo = all.min() ?? 0, hi = all.max() ?? 1
        func color(_ v: Double) -> String {
            // Light yellow → dark blue (viridis-like endpoints), linear in the value.
            let f = hi > lo ? (v - lo) / (hi - lo) : 0.5
            let a = (253.0, 231.0, 37.0), b = (68.0, 1.0, 84.0)
            let c = (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
            return String(format: "#%02x%02x%02x", Int(c.0), Int(c.1), Int(c.2))
        }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(left + cw * Double(xs.count) / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(esc(title))</text>\n"
        for (i, y) in ys.enumerated() {
            s += "<text x=\"\(left - 10)\" y=\"\(top + ch * Double(i) + ch / 2 + 4)\" text-anchor=\"end\">\(esc(y))</text>\n"
            for (j, _) in xs.enumerated() {
                let x = left + cw * Double(j), yy = top + ch * Double(i)
                if let v = values[i][j] {
                    let f = hi > lo ? (v - lo) / (hi - lo) : 0.5
                    s += "<rect class=\"cell\" x=\"\(x)\" y=\"\(yy)\" width=\"\(cw)\" height=\"\(ch)\" fill=\"\(color(v))\" stroke=\"white\"/>\n"
                    s += "<text x=\"\(x + cw / 2)\" y=\"\(yy + ch / 2 + 4)\" text-anchor=\"middle\" fill=\"\(f > 0.5 ? "white" : "black")\">\(String(format: "%.4f", v))</text>\n"
                } else {
                    s += "<rect class=\"cell\" x=\"\(x)\" y=\"\(yy)\" width=\"\(cw)\" height=\"\(ch)\" fill=\"#eee\" stroke=\"white\"/>\n"
                }
            }
        }
        for (j, x) in xs.enumerated() {
            s += "<text x=\"\(left + cw * Double(j) + cw / 2)\" y=\"\(top + ch * Double(ys.count) + 18)\" text-anchor=\"middle\">\(esc(x))</text>\n"
        }
        s += "<text x=\"\(left + cw * Double(xs.count) / 2)\" y=\"\(height - 20)\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text transform=\"translate(22 \(top + ch * Double(ys.count) / 2)) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        let lx = left + cw * Double(xs.count) + 30
        s += "<text x=\"\(lx)\" y=\"\(top - 8)\">\(esc(metric))</text>\n"
        for k in 0..<5 {
            let v = hi - (hi - lo) * Double(k) / 4
            s += "<rect x=\"\(lx)\" y=\"\(top + Double(k) * 22)\" width=\"18\" height=\"22\" fill=\"\(color(v))\"/>\n"
            s += "<text x=\"\(lx + 24)\" y=\"\(top + Double(k) * 22 + 15)\">\(String(format: "%.4f", v))</text>\n"
        }
        return s + "</svg>\n"
    }
}
