import CLua
import ClawrunCore
import Foundation
import LuaRuntime

/// `openclaw.run`, `openclaw.config_set`, `openclaw.config_patch`, `openclaw.config_get`,
/// `openclaw.config_file`, `openclaw.health`, `openclaw.models` and the `openclaw.env` table: the
/// OpenClaw CLI and config inside a machine, always run as an argv of absolute paths (no PATH
/// search, no shell quoting) with the seed's environment.
extension HostContext {
    func registerOpenClaw() {
        state.register("openclaw.run") { [unowned self] call in
            let id = try call.machineId(1)
            let args = try HostContext.stringList(call, 2, "args")
            let opts = try call.optionalTable(3, "options")
            try opts?.checkKeys(["timeout", "check"])
            let timeout = try opts?.number("timeout") ?? 120
            guard timeout > 0, timeout <= 86_400 else {
                throw HostError("option 'timeout' must be between 0 and 86400 seconds, got \(timeout)")
            }
            let check = try opts?.bool("check") ?? true
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let result = try await poller.runOpenClaw(id, args, timeout: timeout)
                if check, let failure = HostContext.openClawFailure(result, machineId: id, args: args) {
                    throw HostError(failure)
                }
                return [.string(HostContext.trimmed(result.output.stdout)), HostContext.resultTable(result)]
            }
        }
        state.register("openclaw.config_set") { [unowned self] call in
            let id = try call.machineId(1)
            let path = try call.string(2, "path")
            guard call.count >= 3 else { throw HostError("bad argument #3 'value' (value expected, got no value)") }
            let value = try LuaJSON.encode(call.state, call.thread, at: 3)
            if OpenClawLayout.isSecretPath(path), !self.options.showSecrets { self.reporter.redactor.addSecrets(in: value) }
            // The value travels on stdin (compact JSON is one line), never in the execution's
            // recorded command, where a provider keeps it; --strict-json keeps a token of digits a string.
            let request = ExecRequest(
                command: [OpenClawLayout.bash, "-c", #"IFS= read -r value && exec "$2" config set "$1" "$value" --strict-json"#,
                          "clawrun", path, OpenClawLayout.cli],
                env: OpenClawLayout.environment, stdin: value.compactText + "\n", timeoutMs: 60_000)
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let result = try await poller.run(machineId: id, request, timeout: 90)
                if let failure = HostContext.openClawFailure(result, machineId: id, args: ["config", "set", path]) {
                    throw HostError(failure)
                }
                return []
            }
        }
        state.register("openclaw.is_secret_path") { call in
            .values([.boolean(OpenClawLayout.isSecretPath(try call.string(1, "path")))])
        }
        state.register("openclaw.config_patch") { [unowned self] call in
            let id = try call.machineId(1)
            let changes = try HostContext.configChanges(call, 2)
            let opts = try call.optionalTable(3, "options") ?? LuaTable()
            try opts.checkKeys(["wait", "port", "timeout"])
            let wait = try opts.bool("wait") ?? false
            let port = Int(try opts.number("port") ?? Double(OpenClawLayout.port))
            let timeout = try opts.number("timeout") ?? 60
            for (path, value) in changes where OpenClawLayout.isSecretPath(path) && !self.options.showSecrets {
                self.reporter.redactor.addSecrets(in: value)
            }
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let read = try await poller.run(
                    machineId: id, ExecRequest(command: [OpenClawLayout.cat, OpenClawLayout.configPath], timeoutMs: 30_000),
                    timeout: 60)
                var config = JSONValue.object([])
                if read.succeeded {
                    guard let parsed = try? JSONValue.parse(read.output.stdout), case .object = parsed else {
                        throw HostError("\(OpenClawLayout.configPath) on \(id) is not a plain JSON object; "
                            + "it may hold JSON5 comments: rewrite it with `openclaw config set`")
                    }
                    config = parsed
                } else if !read.output.stderr.contains("No such file") {
                    throw HostError(HostContext.failureMessage(read, machineId: id) ?? "cannot read the config of \(id)")
                }
                let patch = ConfigPatch(config: config, changes: changes)
                guard !patch.changedPaths.isEmpty else { return [.integer(0), .boolean(false)] }
                let restart = patch.needsRestart
                let mode = !wait ? "0" : restart ? "1" : "2"
                let request = ExecRequest(
                    command: [OpenClawLayout.bash, "-c", ConfigPatch.writeScript, "clawrun-config", OpenClawLayout.configPath,
                              String(port), mode, String(Int(timeout.rounded(.up)))],
                    stdin: patch.config.prettyText() + "\n", timeoutMs: Int((timeout + 30) * 1000))
                let result = try await poller.run(machineId: id, request, timeout: timeout + 60)
                switch result.execution.exitCode {
                case 0?: break
                case 2?:
                    throw HostError("the gateway of \(id) did not come back within \(Int(timeout)) s after the config change "
                        + "(no /readyz restarted after the write); last lines of its log: `clawrun workflows/chat.lua` "
                        + "or the machine's /home/machine/.openclaw/gateway.log")
                default:
                    throw HostError("writing \(OpenClawLayout.configPath) on \(id) failed: "
                        + (HostContext.failureMessage(result, machineId: id) ?? "unknown error"))
                }
                return [.integer(Int64(patch.changedPaths.count)), .boolean(restart)]
            }
        }
        state.register("openclaw.models") { [unowned self] call in
            let id = try call.machineId(1)
            let opts = try call.optionalTable(2, "options") ?? LuaTable()
            try opts.checkKeys(["token", "port", "timeout"])
            var request = ModelsRequest()
            request.port = Int(try opts.number("port") ?? Double(OpenClawLayout.port))
            request.timeout = try opts.number("timeout") ?? 10
            request.token = try opts.string("token") ?? self.recordedToken(id)
            if let token = request.token, !self.options.showSecrets { self.reporter.redactor.add(token) }
            let final = request
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let result = try await poller.run(machineId: id, final.execRequest, timeout: final.timeout + 45)
                try ChatOutcome.checkTransport(result, machineId: id, port: final.port, timeout: final.timeout)
                guard let http = CurlWriteOut.split(result.output.stdout) else {
                    throw HostError("curl inside \(id) printed no status line")
                }
                let json = try? JSONValue.parse(http.body)
                var fields: [(String, LuaValue)] = [("status", .integer(Int64(http.status)))]
                if let type = json.flatMap(ChatCompletionParser.errorType) { fields.append(("error_type", .string(type))) }
                if let message = json.flatMap(ChatCompletionParser.errorMessage) { fields.append(("message", .string(message))) }
                let ids = json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                fields.append(("ids", .table(LuaTable(sequence: ids.map { LuaValue.string($0) }))))
                // A 200 that is not the JSON list is the Control UI's SPA fallback: the API is off.
                fields.append(("json", .boolean(json?["object"]?.stringValue == "list")))
                return [.table(LuaTable(fields))]
            }
        }
        state.register("openclaw.config_get") { [unowned self] call in
            let id = try call.machineId(1)
            let path = try call.string(2, "path")
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let result = try await poller.runOpenClaw(id, ["config", "get", path, "--json"], timeout: 60)
                let text = result.output.stdout + result.output.stderr
                if !result.succeeded, text.contains("Config path not found") { return [.nil] }
                if let failure = HostContext.openClawFailure(result, machineId: id, args: ["config", "get", path]) {
                    throw HostError(failure)
                }
                let out = result.output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                guard let value = try? JSONValue.parse(out) else { return [.string(out)] }
                return [LuaJSON.luaValue(value)]
            }
        }
        state.register("openclaw.config_file") { [unowned self] call in
            let id = try call.machineId(1)
            let redactor = self.options.showSecrets ? nil : self.reporter.redactor
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let request = ExecRequest(command: [OpenClawLayout.cat, OpenClawLayout.configPath], timeoutMs: 30_000)
                let result = try await poller.run(machineId: id, request, timeout: 60)
                if result.execution.exitCode == 1, result.output.stderr.contains("No such file") { return [.nil] }
                if let failure = HostContext.failureMessage(result, machineId: id) { throw HostError(failure) }
                let config: JSONValue
                do {
                    config = try JSONValue.parse(result.output.stdout)
                } catch {
                    throw HostError("\(OpenClawLayout.configPath) on \(id) is not plain JSON (\(error)); "
                        + "it may hold JSON5 comments: rewrite it with `openclaw config set`")
                }
                redactor?.addSecrets(in: config, secretPath: false, path: "")
                return [LuaJSON.luaValue(config)]
            }
        }
        state.register("openclaw.health") { [unowned self] call in
            let id = try call.machineId(1)
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let result = try await poller.runOpenClaw(id, ["gateway", "call", "health", "--json"], timeout: 60)
                guard result.succeeded else {
                    let why = HostContext.lastLine(result.output.stderr) ?? HostContext.lastLine(result.output.stdout)
                        ?? "exit status \(result.execution.exitCode ?? -1)"
                    throw HostError("the OpenClaw gateway on \(id) does not answer the health RPC (\(why)); "
                        + "is it running? `clawrun wake-recover --machine \(id)` starts it")
                }
                guard let payload = try? JSONValue.parse(result.output.stdout) else {
                    throw HostError("the health RPC on \(id) printed no JSON: "
                        + (HostContext.lastLine(result.output.stdout) ?? "nothing"))
                }
                return [LuaJSON.luaValue(payload)]
            }
        }
        setTableField("openclaw", "env", .table(LuaTable(OpenClawLayout.environment.sorted { $0.key < $1.key }
            .map { ($0.key, .string($0.value)) })))
        setTableField("openclaw", "config_path", .string(OpenClawLayout.configPath))
        setTableField("openclaw", "layout", OpenClawLayout.lua)
    }

    /// Sets `table.key = value` on a global table that registered bindings created.
    func setTableField(_ table: String, _ key: String, _ value: LuaValue) {
        let L = state.L
        lua_getglobal(L, table)
        state.push(value, on: L)
        lua_setfield(L, -2, key)
        lua_pop(L, 1)
    }

    /// Why an `openclaw` call failed, naming the subcommand (never its values, which may be
    /// secrets) and the CLI's own last line, or nil when it succeeded.
    static func openClawFailure(_ result: ExecResult, machineId: String, args: [String]) -> String? {
        guard let generic = failureMessage(result, machineId: machineId) else { return nil }
        let shown = "openclaw " + args.prefix(3).joined(separator: " ")
        let missing = result.execution.exitCode == nil && (result.execution.errorMessage ?? "").contains("No such file")
        if result.execution.exitCode == 127 || missing {
            return "\(shown) on \(machineId): openclaw is not installed in \(OpenClawLayout.binDir) (run deploy first)"
        }
        return "\(shown) failed: \(generic)"
    }

    /// A list of `{path, value}` pairs (argument `n`), values as JSON.
    static func configChanges(_ call: HostCall, _ n: Int32) throws -> [(String, JSONValue)] {
        let bad = HostError("bad argument #\(n) 'changes' (a list of {\"dotted.path\", value} pairs expected)")
        guard case .table = call.value(n), case .array(let items) = try LuaJSON.encode(call.state, call.thread, at: n) else {
            throw bad
        }
        return try items.map { item in
            guard case .array(let pair) = item, pair.count == 2, case .string(let path) = pair[0], !path.isEmpty else { throw bad }
            return (path, pair[1])
        }
    }

    /// A list-of-strings argument (an argv).
    static func stringList(_ call: HostCall, _ n: Int32, _ name: String) throws -> [String] {
        guard case .table(let t) = call.value(n), t.fields.isEmpty else {
            throw HostError("bad argument #\(n) '\(name)' (list of strings expected, got \(call.typeName(n)))")
        }
        let items = t.sequence.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
        guard items.count == t.sequence.count else {
            throw HostError("bad argument #\(n) '\(name)' (every item must be a string)")
        }
        return items
    }
}
