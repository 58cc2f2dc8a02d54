import ClawrunCore
import Foundation

/// The live status line at the bottom of a terminal (`12/40 done, 8 running, 1 failed, 0:07`):
/// redrawn in place with `\r` twice a second, lifted out of the way whenever a log line is
/// written, and cleared at the end. Only for a terminal: logs and cron mail get plain lines.
public final class ProgressLine: Sendable {
    private struct Line {
        var shown = ""
        var timer: DispatchSourceTimer?
        var status: (@Sendable () -> String?)?
    }

    private let line = Locked(Line())

    /// Makes a line; call `start` to begin redrawing.
    public init() {}

    /// Whether stderr is a terminal, where a line redrawn with `\r` makes sense.
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Starts redrawing twice a second the text that `status` gives (nil: no line yet).
    public func start(status: @escaping @Sendable () -> String?) {
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + 0.5, repeating: 0.5)
        t.setEventHandler { [weak self] in self?.redraw() }
        line.withLock { line in
            line.status = status
            line.timer = t
        }
        t.resume()
    }

    /// Writes a line of output above the status line, which is redrawn with fresh figures.
    public func write(_ text: String) {
        line.withLock { line in
            let clear = line.shown.isEmpty ? "" : "\r\u{1B}[K"
            if line.timer != nil { line.shown = line.status?() ?? "" }
            put(clear + text + "\n" + line.shown)
        }
    }

    /// Stops redrawing and clears the line.
    public func finish() {
        line.withLock { line in
            line.timer?.cancel()
            line.timer = nil
            if !line.shown.isEmpty { put("\r\u{1B}[K") }
            line.shown = ""
        }
    }

    private func redraw() {
        let status = line.withLock { $0.status }
        let text = status?() ?? ""
        line.withLock { line in
            guard line.timer != nil, text != line.shown else { return }
            line.shown = text
            put("\r\u{1B}[K" + text)
        }
    }

    private func put(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The status text of fleet progress: `12/40 done, 8 running, 1 failed, 0:07`.
    public static func text(_ p: FleetProgress) -> String? {
        guard p.targets != nil || p.done + p.running + p.skipped > 0 else { return nil }
        let seconds = Int(p.elapsed)
        var parts = ["\(p.done)\(p.targets.map { "/\($0)" } ?? "") done", "\(p.running) running", "\(p.failed) failed"]
        if p.skipped > 0 { parts.append("\(p.skipped) skipped") }
        return parts.joined(separator: ", ") + String(format: ", %d:%02d", seconds / 60, seconds % 60)
    }
}
