import Foundation
import Histogram

/// Latencies of a load test in an HDR histogram (microseconds, three significant digits): its
/// percentiles, its sum with another machine's (the fleet's histogram is the sum, never an average
/// of percentiles), a compact text form that travels in the report and its `--json`, and the
/// `.hgrm` percentile distribution that HdrHistogram's plotter reads.
struct LoadHistogram {
    /// The largest latency kept, microseconds (an hour): longer ones count as an hour.
    static let highest: UInt64 = 3_600_000_000

    private(set) var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    /// An empty histogram.
    init() {}

    /// The histogram of latencies given in seconds.
    init(seconds: [Double]) {
        for s in seconds { record(seconds: s) }
    }

    /// Records one latency in seconds.
    mutating func record(seconds: Double) {
        let us = seconds.isFinite ? max(0, (seconds * 1_000_000).rounded()) : Double(Self.highest)
        _ = histogram.record(min(Self.highest, UInt64(min(us, Double(Self.highest)))))
    }

    /// How many latencies it holds.
    var count: Int { Int(histogram.totalCount) }

    /// Adds another histogram's counts to this one.
    mutating func add(_ other: LoadHistogram) {
        histogram.add(other.histogram)
    }

    /// The latency at a percentile (0-100), milliseconds.
    func milliseconds(atPercentile p: Double) -> Double {
        Double(histogram.valueAtPercentile(p)) / 1000
    }

    /// min, max, mean and the percentiles of `LoadReport.percentiles`, milliseconds.
    var summary: [(String, Double)] {
        guard count > 0 else { return [] }
        var fields = [("min", Double(histogram.min) / 1000), ("max", Double(histogram.max) / 1000),
                      ("mean", histogram.mean / 1000)]
        for (key, p) in LoadReport.percentiles { fields.append((key, milliseconds(atPercentile: p))) }
        return fields
    }

    /// `value:count` pairs of every recorded bucket, comma-separated (microseconds): lossless,
    /// since a bucket's value records into the same bucket again.
    var encoded: String {
        histogram.recordedValues().map { "\($0.value):\($0.count)" }.joined(separator: ",")
    }

    /// Reads the compact form; nil when it is not one. Values past an hour count as an hour.
    init?(encoded text: String) {
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let value = UInt64(parts[0]), let n = UInt64(parts[1]), n <= 1_000_000_000_000 else {
                return nil
            }
            if n > 0 { _ = histogram.record(min(value, Self.highest), count: n) }
        }
    }

    /// The percentile distribution in HdrHistogram's `.hgrm` text format, values in milliseconds.
    var hgrm: String {
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000)
        return text
    }
}

extension LoadHistogram {
    /// The percentile spectrum as (percentile 0-100, milliseconds) points, five per halving of
    /// the distance to 100 %, without the final 100 % point (it sits at infinity on a 1/(1-p) axis).
    var percentilePoints: [(Double, Double)] {
        guard count > 0 else { return [] }
        return histogram.percentiles(ticksPerHalfDistance: 5).compactMap { iv in
            iv.percentileLevelIteratedTo < 100 ? (iv.percentileLevelIteratedTo, Double(iv.value) / 1000) : nil
        }
    }
}
