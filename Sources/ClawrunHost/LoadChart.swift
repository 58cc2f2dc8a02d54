import Foundation

/// The picture of a load test as SVG (or an HTML page holding it): latency by percentile on a
/// logarithmic 1/(1-p) axis, as HdrHistogram's plotter draws it, and requests and errors per
/// second over time; one line per machine plus the merged fleet.
enum LoadChart {
    private static let width = 900.0, panelHeight = 320.0, left = 80.0, right = 170.0, top = 50.0
    private static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                 "#bcbd22", "#17becf"]
    /// The most 9s the percentile axis shows (99.999 %).
    private static let nines = 5.0

    /// The SVG document; the merged report is drawn last, in black.
    static func svg(machines: [LoadReport], merged: LoadReport, title: String) -> String {
        let series = machines.enumerated().map { (i, r) in (r.machine ?? "machine \(i + 1)", colors[i % colors.count], r) }
            + [("merged", "#000000", merged)]
        let height = top + 2 * panelHeight + 120
        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <title>\(escape(title))</title>
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="16">\(escape(title))</text>

            """
        s += latencyPanel(series, y0: top)
        s += timelinePanel(series, y0: top + panelHeight + 60)
        s += "</svg>\n"
        return s
    }

    /// An HTML page that holds the SVG.
    static func html(machines: [LoadReport], merged: LoadReport, title: String) -> String {
        let svg = svg(machines: machines, merged: merged, title: title)
            .replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", with: "")
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(escape(title))</title></head>\n<body>\n\(svg)</body></html>\n"
    }

    private static var plotWidth: Double { width - left - right }
    private static var plotHeight: Double { panelHeight - 60 }

    private static func latencyPanel(_ series: [(String, String, LoadReport)], y0: Double) -> String {
        let maxMs = niceCeiling(series.map { $0.2.histogram.count > 0 ? $0.2.histogram.milliseconds(atPercentile: 100) : 0 }.max() ?? 1)
        func x(_ p: Double) -> Double {
            let inverse = 1 / max(1 - p / 100, pow(10, -nines))
            return left + log10(inverse) / nines * plotWidth
        }
        func y(_ ms: Double) -> Double { y0 + plotHeight - min(ms, maxMs) / maxMs * plotHeight }
        var s = frame(y0: y0, xTitle: "Percentile (log scale of 1/(1-p))", yTitle: "Latency (ms)")
        for n in 0...Int(nines) {
            let p = 100 * (1 - pow(10, -Double(n)))
            let label = n == 0 ? "0%" : String(format: "%.\(max(0, n - 2))f%%", p)
            s += tick(x: x(p), y0: y0, label: label)
        }
        s += yTicks(y0: y0, max: maxMs)
        for (name, color, report) in series {
            let points = report.histogram.percentilePoints.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }
            if points.isEmpty { continue }
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(name == "merged" ? 2.5 : 1.5)\" points=\"\(points.joined(separator: " "))\"><title>\(escape(name))</title></polyline>\n"
        }
        return s + legend(series, y0: y0)
    }

    private static func timelinePanel(_ series: [(String, String, LoadReport)], y0: Double) -> String {
        let seconds = max(1, series.map(\.2.timeline.count).max() ?? 1)
        let maxRate = niceCeiling(Double(series.flatMap { $0.2.timeline.map(\.requests) }.max() ?? 1))
        func x(_ t: Double) -> Double { left + t / Double(seconds) * plotWidth }
        func y(_ v: Double) -> Double { y0 + plotHeight - min(v, maxRate) / maxRate * plotHeight }
        var s = frame(y0: y0, xTitle: "Time (s)", yTitle: "Requests per second (dashed: errors)")
        let step = max(1, seconds / 10)
        for t in stride(from: 0, through: seconds, by: step) { s += tick(x: x(Double(t)), y0: y0, label: "\(t)") }
        s += yTicks(y0: y0, max: maxRate)
        for (name, color, report) in series where !report.timeline.isEmpty {
            // Each second's count is drawn at the middle of its second.
            let rate = report.timeline.enumerated().map { String(format: "%.1f,%.1f", x(Double($0.offset) + 0.5), y(Double($0.element.requests))) }
            let errors = report.timeline.enumerated().map { String(format: "%.1f,%.1f", x(Double($0.offset) + 0.5), y(Double($0.element.errors))) }
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(name == "merged" ? 2.5 : 1.5)\" points=\"\(rate.joined(separator: " "))\"><title>\(escape(name)) requests/s</title></polyline>\n"
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-dasharray=\"4 3\" points=\"\(errors.joined(separator: " "))\"><title>\(escape(name)) errors/s</title></polyline>\n"
        }
        if series.allSatisfy({ $0.2.timeline.isEmpty }) {
            s += "<text x=\"\(left + 10)\" y=\"\(y0 + 20)\">no per-second counts (closed-loop runs do not record send times)</text>\n"
        }
        return s + legend(series, y0: y0)
    }

    private static func frame(y0: Double, xTitle: String, yTitle: String) -> String {
        """
        <rect x="\(left)" y="\(y0)" width="\(plotWidth)" height="\(plotHeight)" fill="none" stroke="#333"/>
        <text class="axis-title" x="\(left + plotWidth / 2)" y="\(y0 + plotHeight + 40)" text-anchor="middle">\(escape(xTitle))</text>
        <text class="axis-title" transform="translate(20,\(y0 + plotHeight / 2)) rotate(-90)" text-anchor="middle">\(escape(yTitle))</text>

        """
    }

    private static func tick(x: Double, y0: Double, label: String) -> String {
        String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", x, y0, x, y0 + plotHeight)
            + String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y0 + plotHeight + 16) + escape(label) + "</text>\n"
    }

    private static func yTicks(y0: Double, max: Double) -> String {
        (0...4).map { i in
            let v = max * Double(i) / 4
            let y = y0 + plotHeight - Double(i) / 4 * plotHeight
            return String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left, y, left + plotWidth, y)
                + String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, y + 4) + format(v) + "</text>\n"
        }.joined()
    }

    private static func legend(_ series: [(String, String, LoadReport)], y0: Double) -> String {
        series.enumerated().map { (i, item) in
            let y = y0 + 10 + Double(i) * 18
            return "<line x1=\"\(left + plotWidth + 12)\" y1=\"\(y)\" x2=\"\(left + plotWidth + 32)\" y2=\"\(y)\" stroke=\"\(item.1)\" stroke-width=\"2\"/>"
                + "<text x=\"\(left + plotWidth + 38)\" y=\"\(y + 4)\">\(escape(item.0))</text>\n"
        }.joined()
    }

    /// 1, 2 or 5 times a power of ten, at least `v`.
    private static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(v)))
        for m in [1.0, 2, 5, 10] where m * magnitude >= v { return m * magnitude }
        return 10 * magnitude
    }

    private static func format(_ v: Double) -> String {
        v >= 100 || v == v.rounded() ? String(Int(v.rounded())) : String(format: "%.2g", v)
    }

    /// Text made safe for XML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
