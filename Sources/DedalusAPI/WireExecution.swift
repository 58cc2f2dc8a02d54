import Foundation
import ClawrunCore

/// An `Execution` document; `retry_after_ms` becomes `Execution.retryAfterMs` so the `Poller`
/// honours the server's hint. An unrecognised status reads as `running` (keep polling).
struct WireExecution: Decodable {
    var execution: Execution

    private enum Keys: String, CodingKey {
        case executionId = "execution_id", machineId = "machine_id", status, command
        case exitCode = "exit_code", signal, errorCode = "error_code", errorMessage = "error_message"
        case retryAfterMs = "retry_after_ms", stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes"
        case stdoutTruncated = "stdout_truncated", stderrTruncated = "stderr_truncated"
        case createdAt = "created_at", startedAt = "started_at", completedAt = "completed_at"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        execution = Execution(
            id: try c.requiredID(.executionId),
            machineId: c.lenientString(.machineId) ?? "",
            status: c.lenientString(.status).flatMap(ExecutionStatus.init(rawValue:)) ?? .running,
            command: c.lenientStrings(.command),
            exitCode: c.lenientInt(.exitCode),
            signal: c.lenientInt(.signal),
            errorCode: c.lenientString(.errorCode),
            errorMessage: c.lenientString(.errorMessage),
            retryAfterMs: c.lenientInt(.retryAfterMs),
            stdoutBytes: c.lenientInt(.stdoutBytes),
            stderrBytes: c.lenientInt(.stderrBytes),
            stdoutTruncated: c.lenientBool(.stdoutTruncated),
            stderrTruncated: c.lenientBool(.stderrTruncated),
            createdAt: c.lenientDate(.createdAt),
            startedAt: c.lenientDate(.startedAt),
            completedAt: c.lenientDate(.completedAt))
    }
}

/// An `ExecutionOutput` document (every field but `execution_id` optional).
struct WireExecutionOutput: Decodable {
    var output: ExecutionOutput

    private enum Keys: String, CodingKey {
        case stdout, stderr, stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes"
        case stdoutTruncated = "stdout_truncated", stderrTruncated = "stderr_truncated"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let stdout = c.lenientString(.stdout) ?? ""
        let stderr = c.lenientString(.stderr) ?? ""
        output = ExecutionOutput(
            stdout: stdout, stderr: stderr,
            stdoutBytes: c.lenientInt(.stdoutBytes) ?? stdout.utf8.count,
            stderrBytes: c.lenientInt(.stderrBytes) ?? stderr.utf8.count,
            stdoutTruncated: c.lenientBool(.stdoutTruncated) ?? false,
            stderrTruncated: c.lenientBool(.stderrTruncated) ?? false)
    }
}

/// An `ExecutionEvent` document; an unrecognised `type` reads as a lifecycle event.
struct WireExecutionEvent: Decodable {
    var event: ExecutionEvent

    private enum Keys: String, CodingKey {
        case sequence, type, at, chunk, status, exitCode = "exit_code", signal
        case errorCode = "error_code", errorMessage = "error_message"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        event = ExecutionEvent(
            sequence: c.lenientInt(.sequence) ?? 0,
            kind: c.lenientString(.type).flatMap(ExecutionEvent.Kind.init(rawValue:)) ?? .lifecycle,
            at: c.lenientDate(.at) ?? Date(timeIntervalSince1970: 0),
            chunk: c.lenientString(.chunk),
            status: c.lenientString(.status).flatMap(ExecutionStatus.init(rawValue:)),
            exitCode: c.lenientInt(.exitCode),
            signal: c.lenientInt(.signal),
            errorCode: c.lenientString(.errorCode),
            errorMessage: c.lenientString(.errorMessage))
    }
}
