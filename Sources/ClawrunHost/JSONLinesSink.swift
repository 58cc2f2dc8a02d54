import ClawrunCore
import Foundation

/// Writes each event as one JSON object a line to a file handle (stdout for `--json`, or a run record).
public final class JSONLinesSink: EventSink, @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    /// Makes a sink over an open handle.
    public init(handle: FileHandle) { self.handle = handle }

    public func emit(_ event: RunEvent) {
        let line = event.json.compactText + "\n"
        lock.lock()
        handle.write(Data(line.utf8))
        lock.unlock()
    }
}
