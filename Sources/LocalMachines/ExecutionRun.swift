import ClawrunCore
import Foundation

/// One execution in memory: its record, captured output and event log. The reactor feeds it as a
/// `ProcessSink`; API calls read snapshots of it.
final class ExecutionRun: ProcessSink, Sendable {
    /// Output events kept per execution; beyond this the output is still captured, only not
    /// repeated as events (a writer of single bytes would otherwise make millions).
    static let maxOutputEvents = 4096

    private struct State {
        var execution: Execution
        var stdout = OutputCapture()
        var stderr = OutputCapture()
        var events: [ExecutionEvent] = []
        var outputEvents = 0
        var pid: Int32?
    }

    private let state: Locked<State>

    init(_ execution: Execution) {
        var initial = State(execution: execution)
        ExecutionRun.appendLifecycle(&initial)
        state = Locked(initial)
    }

    /// The current record.
    var execution: Execution { state.withLock { $0.execution } }

    /// The process group to kill on cancel, while running.
    var pid: Int32? { state.withLock { $0.pid } }

    /// The captured output.
    var output: ExecutionOutput {
        state.withLock { s in
            ExecutionOutput(stdout: s.stdout.text, stderr: s.stderr.text, stdoutBytes: s.stdout.total,
                            stderrBytes: s.stderr.total, stdoutTruncated: s.stdout.truncated,
                            stderrTruncated: s.stderr.truncated)
        }
    }

    /// Events after sequence `after`, at most `limit`.
    func events(after: Int, limit: Int) -> [ExecutionEvent] {
        state.withLock { s in Array(s.events.drop(while: { $0.sequence <= after }).prefix(limit)) }
    }

    /// Moves to a non-terminal status (queued, running), unless it already ended.
    func move(to status: ExecutionStatus, pid: Int32? = nil) {
        state.withLock { s in
            guard !s.execution.status.isTerminal else { return }
            s.execution.status = status
            if status == .running { s.execution.startedAt = Date() }
            if let pid { s.pid = pid }
            ExecutionRun.appendLifecycle(&s)
        }
    }

    /// Ends without having run: a refusal, with error_code and no exit_code (spec §7.2).
    func refuse(code: String, message: String) {
        finish { e in
            e.status = .failed
            e.errorCode = code
            e.errorMessage = message
        }
    }

    func received(_ bytes: UnsafeRawBufferPointer, stderr: Bool) {
        state.withLock { s in
            let kept = stderr ? s.stderr.append(bytes) : s.stdout.append(bytes)
            s.execution.stdoutBytes = s.stdout.total
            s.execution.stderrBytes = s.stderr.total
            s.execution.stdoutTruncated = s.stdout.truncated
            s.execution.stderrTruncated = s.stderr.truncated
            guard !kept.isEmpty, s.outputEvents < ExecutionRun.maxOutputEvents else { return }
            s.outputEvents += 1
            s.events.append(ExecutionEvent(sequence: s.events.count + 1, kind: stderr ? .stderr : .stdout, at: Date(),
                                           chunk: String(decoding: kept, as: UTF8.self)))
        }
    }

    func ended(_ end: ProcessEnd) {
        finish { e in
            if end.cancelled {
                e.status = .cancelled
            } else if end.timedOut {
                e.status = .expired
                e.errorCode = "execution_timed_out"
                e.errorMessage = "execution exceeded timeout_ms"
            } else if let code = end.exitCode {
                e.status = code == 0 ? .succeeded : .failed
                e.exitCode = Int(code)
            } else if let signal = end.signal {
                // The command ran, so it has an exit code: the shell's 128 + signal.
                e.status = .failed
                e.exitCode = 128 + Int(signal)
                e.signal = Int(signal)
            }
        }
    }

    /// Marks a still-waiting execution cancelled (one that has no process yet).
    func cancelWaiting() {
        finish { $0.status = .cancelled }
    }

    private func finish(_ body: (inout Execution) -> Void) {
        state.withLock { s in
            guard !s.execution.status.isTerminal else { return }
            body(&s.execution)
            s.execution.completedAt = Date()
            s.execution.stdoutBytes = s.stdout.total
            s.execution.stderrBytes = s.stderr.total
            s.execution.stdoutTruncated = s.stdout.truncated
            s.execution.stderrTruncated = s.stderr.truncated
            s.pid = nil
            ExecutionRun.appendLifecycle(&s)
        }
    }

    private static func appendLifecycle(_ s: inout State) {
        let e = s.execution
        s.events.append(ExecutionEvent(sequence: s.events.count + 1, kind: .lifecycle, at: Date(), status: e.status,
                                       exitCode: e.exitCode, signal: e.signal, errorCode: e.errorCode,
                                       errorMessage: e.errorMessage))
    }
}
