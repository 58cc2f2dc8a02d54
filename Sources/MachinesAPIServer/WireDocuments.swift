import ClawrunCore
import Foundation

/// A `Machine` document in one of the API's three shapes: the mutation answer (flat `phase`), the
/// list item (flat `phase` + `created_at`) and the retrieve answer (nested `status`).
struct MachineDocument: Encodable {
    var machineId: String
    var vcpu: Double
    var memoryMiB: Int
    var storageGiB: Int
    var autosleepSeconds: Int
    var desiredState: String
    var phase: String?
    var createdAt: String?
    var status: LifecycleStatusDocument?

    private enum CodingKeys: String, CodingKey {
        case machineId = "machine_id", vcpu, memoryMiB = "memory_mib", storageGiB = "storage_gib"
        case autosleepSeconds = "autosleep_seconds", desiredState = "desired_state", phase
        case createdAt = "created_at", status
    }

    private init(_ m: Machine) {
        machineId = m.id
        vcpu = m.vcpu
        memoryMiB = m.memoryMiB
        storageGiB = m.storageGiB
        autosleepSeconds = m.autosleepSeconds
        desiredState = m.desiredState.rawValue
    }

    /// The answer of create, delete, sleep, wake and reboot.
    static func mutation(_ m: Machine) -> MachineDocument {
        var d = MachineDocument(m)
        d.phase = m.phase.rawValue
        return d
    }

    /// An item of `GET /v1/machines`.
    static func listItem(_ m: Machine, record: LedgerEntry) -> MachineDocument {
        var d = mutation(m)
        d.createdAt = RFC3339.string(record.createdAt)
        return d
    }

    /// The answer of `GET /v1/machines/{id}`.
    static func detail(_ m: Machine, record: LedgerEntry) -> MachineDocument {
        var d = MachineDocument(m)
        d.status = LifecycleStatusDocument(m, record: record)
        return d
    }
}

/// `LifecycleStatus`: every field the Python SDK 0.6.0 requires, plus the optional ones we know.
struct LifecycleStatusDocument: Encodable {
    var phase: String
    var reason: String
    var retryable: Bool
    var revision: String
    var lastTransitionAt: String
    var lastProgressAt: String
    var memoryConfiguredMiB: Int
    var memoryAssignedMiB: Int?
    var memoryResizeState: String
    var lastError: String?

    private enum CodingKeys: String, CodingKey {
        case phase, reason, retryable, revision, lastTransitionAt = "last_transition_at"
        case lastProgressAt = "last_progress_at", memoryConfiguredMiB = "memory_configured_mib"
        case memoryAssignedMiB = "memory_assigned_mib", memoryResizeState = "memory_resize_state"
        case lastError = "last_error"
    }

    init(_ m: Machine, record: LedgerEntry) {
        phase = m.phase.rawValue
        let settled = m.phase.rawValue == m.desiredState.rawValue
        reason = m.reason ?? (settled ? "DesiredStateReached" : "Reconciling")
        retryable = false
        revision = String(record.revision)
        lastTransitionAt = RFC3339.string(record.lastTransitionAt)
        lastProgressAt = RFC3339.string(record.lastProgressAt)
        memoryConfiguredMiB = max(1, m.memoryMiB)
        memoryAssignedMiB = m.phase == .running ? max(1, m.memoryMiB) : nil
        memoryResizeState = "stable"
        lastError = m.lastError
    }
}

/// An `Execution` document, with the `log_capture` object the Python SDK 0.6.0 requires.
struct ExecutionDocument: Encodable {
    struct LogCapture: Encodable {}

    var execution: Execution
    /// Kept apart from `execution.createdAt` because a provider may not report one: then it is
    /// when the server first saw the execution.
    var createdAt: Date

    private enum CodingKeys: String, CodingKey {
        case executionId = "execution_id", machineId = "machine_id", status, command, createdAt = "created_at"
        case startedAt = "started_at", completedAt = "completed_at", exitCode = "exit_code", signal
        case errorCode = "error_code", errorMessage = "error_message", retryAfterMs = "retry_after_ms"
        case stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes", stdoutTruncated = "stdout_truncated"
        case stderrTruncated = "stderr_truncated", logCapture = "log_capture"
    }

    func encode(to encoder: Encoder) throws {
        let e = execution
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(e.id, forKey: .executionId)
        try c.encode(e.machineId, forKey: .machineId)
        try c.encode(e.status.rawValue, forKey: .status)
        try c.encodeIfPresent(e.command, forKey: .command)
        try c.encode(RFC3339.string(createdAt), forKey: .createdAt)
        try c.encodeIfPresent(e.startedAt.map(RFC3339.string), forKey: .startedAt)
        try c.encodeIfPresent(e.completedAt.map(RFC3339.string), forKey: .completedAt)
        try c.encodeIfPresent(e.exitCode, forKey: .exitCode)
        try c.encodeIfPresent(e.signal, forKey: .signal)
        try c.encodeIfPresent(e.errorCode, forKey: .errorCode)
        try c.encodeIfPresent(e.errorMessage, forKey: .errorMessage)
        try c.encodeIfPresent(e.retryAfterMs, forKey: .retryAfterMs)
        try c.encodeIfPresent(e.stdoutBytes, forKey: .stdoutBytes)
        try c.encodeIfPresent(e.stderrBytes, forKey: .stderrBytes)
        try c.encodeIfPresent(e.stdoutTruncated, forKey: .stdoutTruncated)
        try c.encodeIfPresent(e.stderrTruncated, forKey: .stderrTruncated)
        try c.encode(LogCapture(), forKey: .logCapture)
    }
}

/// An `ExecutionOutput` document.
struct ExecutionOutputDocument: Encodable {
    var executionId: String
    var output: ExecutionOutput

    private enum CodingKeys: String, CodingKey {
        case executionId = "execution_id", stdout, stderr, stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes"
        case stdoutTruncated = "stdout_truncated", stderrTruncated = "stderr_truncated"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(executionId, forKey: .executionId)
        try c.encode(output.stdout, forKey: .stdout)
        try c.encode(output.stderr, forKey: .stderr)
        try c.encode(output.stdoutBytes, forKey: .stdoutBytes)
        try c.encode(output.stderrBytes, forKey: .stderrBytes)
        try c.encode(output.stdoutTruncated, forKey: .stdoutTruncated)
        try c.encode(output.stderrTruncated, forKey: .stderrTruncated)
    }
}

/// An `ExecutionEvent` document.
struct ExecutionEventDocument: Encodable {
    var event: ExecutionEvent

    private enum CodingKeys: String, CodingKey {
        case sequence, type, at, chunk, status, exitCode = "exit_code", signal, errorCode = "error_code"
        case errorMessage = "error_message"
    }

    func encode(to encoder: Encoder) throws {
        let e = event
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(e.sequence, forKey: .sequence)
        try c.encode(e.kind.rawValue, forKey: .type)
        try c.encode(RFC3339.string(e.at), forKey: .at)
        try c.encodeIfPresent(e.chunk, forKey: .chunk)
        try c.encodeIfPresent(e.status?.rawValue, forKey: .status)
        try c.encodeIfPresent(e.exitCode, forKey: .exitCode)
        try c.encodeIfPresent(e.signal, forKey: .signal)
        try c.encodeIfPresent(e.errorCode, forKey: .errorCode)
        try c.encodeIfPresent(e.errorMessage, forKey: .errorMessage)
    }
}

/// A cursor page `{"items": [...], "next_cursor": "…"}`; the cursor is omitted on the last page.
struct PageDocument<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?

    private enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
}
