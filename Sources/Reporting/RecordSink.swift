import ClawrunCore
import Foundation

/// Writes every event of a run, as redacted as everywhere else, to its run record
/// (`CLAWRUN_HOME/runs/<timestamp>-<workflow>.jsonl`), one line at a time with no buffer, so
/// that a run killed mid-way leaves every event up to its death, `machine_created` ones included.
public final class RecordSink: EventSink, Sendable {
    /// The record file.
    public let url: URL
    private let lines: JSONLinesSink

    /// Creates the record of a new run of `workflow`, pruning that workflow's oldest records.
    public init(store: RunRecordStore, workflow: String) throws {
        let (url, handle) = try store.create(workflow: workflow)
        store.prune(workflow: workflow)
        self.url = url
        lines = JSONLinesSink(handle: handle)
    }

    public func emit(_ event: RunEvent) { lines.emit(event) }
}
