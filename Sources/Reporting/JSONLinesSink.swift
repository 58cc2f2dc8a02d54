import ClawrunCore
import Foundation

/// Writes each event as one JSON object a line to a file handle (stdout for `--json`, or a run record).
public final class JSONLinesSink: EventSink, Sendable {
    /// The handle, locked so that lines from concurrent emitters never interleave.
    private let handle: Locked<FileHandle>

    /// Makes a sink over an open handle.
    public init(handle: FileHandle) { self.handle = Locked(handle) }

    public func emit(_ event: RunEvent) {
        let line = event.json.compactText + "\n"
        handle.withLock { $0.write(Data(line.utf8)) }
    }
}
