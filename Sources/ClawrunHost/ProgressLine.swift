import Foundation

/// The live status line at the bottom of a terminal (`12/40 done, 8 running, 1 failed, 0:07`):
/// redrawn in place with `\r` twice a second, lifted out of the way whenever a log line is
/// written, and cleared at the end. Only for a terminal: logs and cron mail get plain lines.
public final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var shown = ""
    private var timer: DispatchSourceTimer?
    /// The text of the line now, or nil for no line (nothing to count yet).
    public var status: (@Sendable () -> String?)?

    /// Makes a line; call `start` to begin redrawing.
    public init() {}

    /// Whether stderr is a terminal, where a line redrawn with `\r` makes sense.
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Starts redrawing twice a second.
    public func start() {
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + 0.5, repeating: 0.5)
        t.setEventHandler { [weak self] in self?.redraw() }
        t.resume()
        lock.lock()
        timer = t
        lock.unlock()
    }

    /// Writes a line of output above the status line, which is redrawn with fresh figures.
    public func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        let clear = shown.isEmpty ? "" : "\r\u{1B}[K"
        if timer != nil { shown = status?() ?? "" }
        put(clear + line + "\n" + shown)
    }

    /// Stops redrawing and clears the line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        timer?.cancel()
        timer = nil
        if !shown.isEmpty { put("\r\u{1B}[K") }
        shown = ""
    }

    private func redraw() {
        let text = status?() ?? ""
        lock.lock()
        defer { lock.unlock() }
        guard timer != nil, text != shown else { return }
        shown = text
        put("\r\u{1B}[K" + text)
    }

    private func put(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The status text of fleet progress: `12/40 done, 8 running, 1 failed, 0:07`.
    public static func text(_ p: FleetMonitor.Progress) -> String? {
        guard p.targets != nil || p.done + p.running + p.skipped > 0 else { return nil }
        let seconds = Int(p.elapsed)
        var parts = ["\(p.done)\(p.targets.map { "/\($0)" } ?? "") done", "\(p.running) running", "\(p.failed) failed"]
        if p.skipped > 0 { parts.append("\(p.skipped) skipped") }
        return parts.joined(separator: ", ") + String(format: ", %d:%02d", seconds / 60, seconds % 60)
    }
}
