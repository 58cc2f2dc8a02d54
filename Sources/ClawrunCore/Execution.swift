import Foundation

/// An execution's status, as the Dedalus Machines API names it.
public enum ExecutionStatus: String, Sendable, CaseIterable {
    case wakeInProgress = "wake_in_progress"
    case queued, running, succeeded, failed, cancelled, expired

    /// Whether the execution has ended.
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled, .expired: return true
        case .wakeInProgress, .queued, .running: return false
        }
    }
}

/// What to run: the body of `POST /v1/machines/{id}/executions`.
public struct ExecRequest: Sendable, Equatable {
    /// The argv; a shell line is `["/bin/bash", "-c", line]`.
    public var command: [String]
    public var cwd: String?
    public var env: [String: String]
    public var stdin: String?
    public var timeoutMs: Int?

    /// Makes a request.
    public init(command: [String], cwd: String? = nil, env: [String: String] = [:], stdin: String? = nil,
                timeoutMs: Int? = nil) {
        self.command = command
        self.cwd = cwd
        self.env = env
        self.stdin = stdin
        self.timeoutMs = timeoutMs
    }

    /// Refuses what a machine would silently cut or misread: a NUL byte in the command, the
    /// working directory or the environment (C strings end there), and environment names that
    /// are empty or hold `=` (the name would end at it and the rest join the value).
    public func validate() throws {
        for (i, arg) in command.enumerated() where arg.utf8.contains(0) {
            throw ClawrunError.invalidArgument("the command's argument \(i + 1) holds a NUL byte, which would cut it short")
        }
        if cwd?.utf8.contains(0) == true { throw ClawrunError.invalidArgument("the cwd holds a NUL byte") }
        for (name, value) in env.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.contains("="), !name.utf8.contains(0) else {
                throw ClawrunError.invalidArgument(
                    "env name '\(TerminalText.escape(name))' is not a variable name (it must be non-empty, without '=' or NUL)")
            }
            if value.utf8.contains(0) {
                throw ClawrunError.invalidArgument("the value of env '\(name)' holds a NUL byte, which would cut it short")
            }
        }
    }

    /// A bash command line, as the seed's `exec` helper sends it.
    public static func shell(_ line: String, timeoutMs: Int? = nil) -> ExecRequest {
        ExecRequest(command: ["/bin/bash", "-c", line], timeoutMs: timeoutMs)
    }
}

/// An execution record as a provider reports it.
public struct Execution: Sendable, Equatable {
    public var id: String
    public var machineId: String
    public var status: ExecutionStatus
    public var command: [String]?
    public var exitCode: Int?
    public var signal: Int?
    /// Set when the platform refused or ended the execution (`machine_not_routable`, `execution_timed_out`, ...).
    public var errorCode: String?
    public var errorMessage: String?
    /// The server's hint for when to poll next.
    public var retryAfterMs: Int?
    public var stdoutBytes: Int?
    public var stderrBytes: Int?
    public var stdoutTruncated: Bool?
    public var stderrTruncated: Bool?
    public var createdAt: Date?
    public var startedAt: Date?
    public var completedAt: Date?

    /// Makes an execution record.
    public init(id: String, machineId: String, status: ExecutionStatus, command: [String]? = nil,
                exitCode: Int? = nil, signal: Int? = nil, errorCode: String? = nil, errorMessage: String? = nil,
                retryAfterMs: Int? = nil, stdoutBytes: Int? = nil, stderrBytes: Int? = nil,
                stdoutTruncated: Bool? = nil, stderrTruncated: Bool? = nil, createdAt: Date? = nil,
                startedAt: Date? = nil, completedAt: Date? = nil) {
        self.id = id
        self.machineId = machineId
        self.status = status
        self.command = command
        self.exitCode = exitCode
        self.signal = signal
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.retryAfterMs = retryAfterMs
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}

/// The captured output of an ended execution (`GET .../output`).
public struct ExecutionOutput: Sendable, Equatable {
    public var stdout: String
    public var stderr: String
    public var stdoutBytes: Int
    public var stderrBytes: Int
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool

    /// Makes an output record.
    public init(stdout: String = "", stderr: String = "", stdoutBytes: Int = 0, stderrBytes: Int = 0,
                stdoutTruncated: Bool = false, stderrTruncated: Bool = false) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
    }
}

/// One entry of an execution's event log (`GET .../events`).
public struct ExecutionEvent: Sendable, Equatable {
    /// `lifecycle`, `stdout` or `stderr`.
    public enum Kind: String, Sendable { case lifecycle, stdout, stderr }
    public var sequence: Int
    public var kind: Kind
    public var at: Date
    public var chunk: String?
    public var status: ExecutionStatus?
    public var exitCode: Int?
    public var signal: Int?
    public var errorCode: String?
    public var errorMessage: String?

    /// Makes an event.
    public init(sequence: Int, kind: Kind, at: Date, chunk: String? = nil, status: ExecutionStatus? = nil,
                exitCode: Int? = nil, signal: Int? = nil, errorCode: String? = nil, errorMessage: String? = nil) {
        self.sequence = sequence
        self.kind = kind
        self.at = at
        self.chunk = chunk
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// The whole outcome of one exec as the Lua `exec` returns it.
public struct ExecResult: Sendable, Equatable {
    public var execution: Execution
    public var output: ExecutionOutput
    /// Wall time from the create call to the output read, in seconds.
    public var duration: Double
    /// Status requests made while waiting.
    public var polls: Int

    /// Makes a result.
    public init(execution: Execution, output: ExecutionOutput, duration: Double, polls: Int) {
        self.execution = execution
        self.output = output
        self.duration = duration
        self.polls = polls
    }

    /// True when the command ran and exited 0.
    public var succeeded: Bool { execution.status == .succeeded && (execution.exitCode ?? 0) == 0 }
}
