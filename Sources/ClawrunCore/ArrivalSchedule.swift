import Foundation

/// When an open-model load test sends its requests: a start rate, then stages that each ramp
/// linearly to a target rate over a duration (k6's `ramping-arrival-rate`; a constant rate is one
/// stage whose target equals the start). Request k is due when the expected count reaches k.
public struct ArrivalSchedule: Sendable, Equatable {
    /// One stage: ramp to `target` requests per second over `duration` seconds.
    public struct Stage: Sendable, Equatable {
        /// The stage's length, seconds.
        public var duration: Double
        /// The rate reached at its end, requests per second.
        public var target: Double

        /// Makes a stage.
        public init(duration: Double, target: Double) {
            self.duration = duration
            self.target = target
        }
    }

    /// The rate at time 0, requests per second.
    public var startRate: Double
    /// The stages, in order.
    public var stages: [Stage]

    /// Makes a schedule from a start rate and stages.
    public init(startRate: Double, stages: [Stage]) {
        self.startRate = startRate
        self.stages = stages
    }

    /// A constant rate for a duration.
    public static func constant(rate: Double, duration: Double) -> ArrivalSchedule {
        ArrivalSchedule(startRate: rate, stages: [Stage(duration: duration, target: rate)])
    }

    /// Parses `30s:10,1m:50,30s:0` (duration:target pairs; durations as `500ms`, `30`, `30s`,
    /// `2m`, `1h`), ramping from `startRate`. Errors name the bad piece.
    public static func parse(stages text: String, startRate: Double = 0) throws -> ArrivalSchedule {
        var stages: [Stage] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = piece.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard parts.count == 2, let duration = Self.seconds(String(parts[0])), duration > 0,
                  let target = Double(parts[1]), target >= 0, target.isFinite else {
                throw ScheduleError("stage '\(piece)' is not duration:rate like 30s:100 (stages are a comma list, e.g. 30s:10,1m:50,30s:0)")
            }
            stages.append(Stage(duration: duration, target: target))
        }
        return ArrivalSchedule(startRate: startRate, stages: stages)
    }

    /// A duration in seconds from `500ms`, `30`, `30s`, `2m` or `1h`; nil when it is none of these.
    public static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            return Double(t.dropLast(suffix.count)).flatMap { $0 >= 0 && $0.isFinite ? $0 * scale : nil }
        }
        return Double(t).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
    }

    /// The whole schedule's length, seconds.
    public var duration: Double { stages.reduce(0) { $0 + $1.duration } }

    /// How many requests are due in `[0, t)`: the integral of the rate.
    public func expectedCount(until t: Double) -> Double {
        var count = 0.0, from = 0.0, rate = startRate
        for stage in stages {
            let span = min(stage.duration, max(0, t - from))
            let slope = (stage.target - rate) / stage.duration
            count += rate * span + slope * span * span / 2
            from += stage.duration
            rate = stage.target
            if t <= from { break }
        }
        return count
    }

    /// The number of requests the whole schedule sends.
    public var totalRequests: Int { max(0, Int((expectedCount(until: duration) - 1e-9).rounded(.up))) }

    /// The form the in-machine generator reads: `start;d1:r1,d2:r2` (seconds, requests per second).
    public var generatorArgument: String {
        "\(startRate);" + stages.map { "\($0.duration):\($0.target)" }.joined(separator: ",")
    }
}

/// A schedule that cannot be read, with what to write instead.
public struct ScheduleError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public let description: String
    /// Makes the error.
    public init(_ description: String) { self.description = description }
}
