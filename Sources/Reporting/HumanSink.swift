import ClawrunCore
import Foundation

/// Writes events for a person: log lines and step ends on stderr, stamped with the time, the step
/// and the machine, and the recap as a table; above the live progress line when there is one.
public struct HumanSink: EventSink {
    let verbosity: Int
    let progress: ProgressLine?
    /// Held while a line is written, so that lines from concurrent emitters never interleave.
    private let writing = Locked(())

    /// Makes a sink; verbosity -1 (quiet) shows warnings and errors only, 1 (verbose) adds step
    /// starts. With `progress`, lines go above that status line.
    public init(verbosity: Int = 0, progress: ProgressLine? = nil) {
        self.verbosity = verbosity
        self.progress = progress
    }

    public func emit(_ event: RunEvent) {
        // The run's end: the live line goes before the result and the recap are written.
        if event.event == "result" { progress?.finish() }
        guard let line = format(event).map(TerminalText.escape) else { return }
        if let progress {
            progress.write(line)
            return
        }
        writing.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    func format(_ e: RunEvent) -> String? {
        let stamp = HumanSink.clock(e.time)
        var where_ = ""
        if let step = e.step { where_ += " [\(step)]" }
        if let machine = e.machine { where_ += " \(machine)" }
        switch e.event {
        case "log":
            let level = e["level"]?.stringValue ?? "info"
            if verbosity < 0 && level == "info" { return nil }
            let tag = level.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)
            let message = e["message"]?.stringValue ?? ""
            return where_.isEmpty ? "\(stamp) \(tag) \(message)" : "\(stamp) \(tag)\(where_): \(message)"
        case "step_start":
            return verbosity > 0 ? "\(stamp) ▶\(where_)" : nil
        case "step_end":
            let status = e["status"]?.stringValue ?? "ok"
            if verbosity < 0 && status != "failed" { return nil }
            let d = e["duration"]?.doubleValue.map { String(format: " (%.2f s)", $0) } ?? ""
            let mark = status == "failed" ? "✘" : status == "skipped" ? "–" : status == "would_change" ? "~" : "✔"
            let change = e["change"]?.stringValue.map { ": \($0)" } ?? ""
            return "\(stamp) \(mark)\(where_) \(status.replacingOccurrences(of: "_", with: " "))\(change)\(d)"
        case "retry":
            return verbosity >= 0 ? "\(stamp) RETRY\(where_): \(e["message"]?.stringValue ?? "")" : nil
        case "run_start":
            guard verbosity >= 0 else { return nil }
            return "\(stamp) clawrun \(e["workflow"]?.stringValue ?? "") on provider "
                + "\(e["provider"]?.stringValue ?? "?")"
        case "result":
            let status = e["status"]?.stringValue ?? "?"
            var s = "\(stamp) run \(status)"
            if let d = e["duration"]?.doubleValue { s += String(format: " in %.2f s", d) }
            if let err = e["error"]?.stringValue { s += ":\n" + err }
            return verbosity < 0 && status == "ok" ? nil : s
        case "recap":
            return RecapTable.render(e, quiet: verbosity < 0)
        default:
            return nil
        }
    }

    /// HH:mm:ss in local time; localtime_r rather than a DateFormatter made for every line.
    static func clock(_ t: Double) -> String {
        var seconds = time_t(t)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
