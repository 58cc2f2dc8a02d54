import ClawrunCore
import Foundation
import LuaRuntime

/// `exec(m, command, opts)`: runs a command in a machine and returns its trimmed stdout and the
/// whole result; raises on a non-zero exit, a failure or a timeout unless `check = false`.
extension HostContext {
    func registerExec() {
        state.register("exec") { [unowned self] call in
            let id = try call.machineId(1)
            let (request, timeout, check) = try HostContext.execRequest(call)
            let poller = self.poller
            return try self.scheduler.perform(call) {
                let result = try await poller.run(machineId: id, request, timeout: timeout + 30)
                if check, let failure = HostContext.failureMessage(result, machineId: id) {
                    throw HostError(failure)
                }
                return [.string(HostContext.trimmed(result.output.stdout)), HostContext.resultTable(result)]
            }
        }
    }

    /// Reads `exec`'s command and options into a request, its timeout in seconds, and whether a
    /// failure raises (`check`).
    static func execRequest(_ call: HostCall) throws -> (request: ExecRequest, timeout: Double, check: Bool) {
        var request: ExecRequest
        switch call.value(2) {
        case .string(let line):
            request = .shell(line)
        case .table(let t) where !t.sequence.isEmpty && t.fields.isEmpty:
            let argv = t.sequence.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
            guard argv.count == t.sequence.count else {
                throw HostError("bad argument #2 'command' (every argv item must be a string)")
            }
            request = ExecRequest(command: argv)
        default:
            throw HostError("bad argument #2 'command' (string or argv list expected, got \(call.typeName(2)))")
        }
        let opts = try call.optionalTable(3, "options") ?? LuaTable()
        try opts.checkKeys(["timeout", "env", "cwd", "stdin", "check"])
        let timeout = try opts.number("timeout") ?? 120
        guard timeout > 0, timeout <= 86_400 else {
            throw HostError("option 'timeout' must be between 0 and 86400 seconds, got \(timeout)")
        }
        request.timeoutMs = Int(timeout * 1000)
        request.cwd = try opts.string("cwd")
        request.stdin = try opts.string("stdin")
        if let env = try opts.table("env") {
            for (k, v) in env.fields {
                guard let s = v.stringValue else { throw HostError("option 'env' must map names to strings ('\(k)' is not)") }
                request.env[k] = s
            }
            guard env.sequence.isEmpty else { throw HostError("option 'env' must map names to strings, not be a list") }
        }
        return (request, timeout, try opts.bool("check") ?? true)
    }

    /// Why an exec counts as failed, in one line, or nil when it succeeded.
    static func failureMessage(_ r: ExecResult, machineId: String) -> String? {
        let e = r.execution
        if e.status == .succeeded && (e.exitCode ?? 0) == 0 { return nil }
        if e.status == .expired {
            return "command timed out on \(machineId) (\(e.errorCode ?? "expired"): \(e.errorMessage ?? "execution exceeded timeout_ms"))"
        }
        if let code = e.exitCode {
            let tail = lastLine(r.output.stderr) ?? lastLine(r.output.stdout) ?? "no output"
            return "command exited with status \(code) on \(machineId): \(tail)"
        }
        let err = ProviderError(status: 0, code: e.errorCode ?? e.status.rawValue,
                                message: e.errorMessage ?? "execution \(e.status.rawValue)")
        return "command failed on \(machineId): \(err.code): \(err.message)" + (err.remedy.map { " — \($0)" } ?? "")
    }

    static func lastLine(_ text: String) -> String? {
        text.split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func trimmed(_ s: String) -> String {
        s.hasSuffix("\n") ? String(s.dropLast()) : s
    }

    static func resultTable(_ r: ExecResult) -> LuaValue {
        let e = r.execution
        var fields: [(String, LuaValue)] = [
            ("duration", .number(r.duration)),
            ("execution_id", .string(e.id)),
            ("polls", .integer(Int64(r.polls))),
            ("status", .string(e.status.rawValue)),
            ("stderr", .string(r.output.stderr)),
            ("stderr_bytes", .integer(Int64(r.output.stderrBytes))),
            ("stderr_truncated", .boolean(r.output.stderrTruncated)),
            ("stdout", .string(r.output.stdout)),
            ("stdout_bytes", .integer(Int64(r.output.stdoutBytes))),
            ("stdout_truncated", .boolean(r.output.stdoutTruncated)),
        ]
        if let c = e.exitCode { fields.append(("exit_code", .integer(Int64(c)))) }
        if let s = e.signal { fields.append(("signal", .integer(Int64(s)))) }
        if let c = e.errorCode { fields.append(("error_code", .string(c))) }
        if let m = e.errorMessage { fields.append(("error_message", .string(m))) }
        return .table(LuaTable(fields.sorted { $0.0 < $1.0 }))
    }
}
