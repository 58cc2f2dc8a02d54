import CLua
import ClawrunCore
import Foundation
import LuaRuntime

/// The globals that need no machine: args, log, sleep, now, parallel, step, json, token, fail.
extension HostContext {
    func registerBasics() {
        state.setGlobal("args", .table(LuaTable(options.args.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))

        state.register("__log") { [unowned self] call in
            let level = try call.string(1, "level")
            self.log(level, try call.string(2, "message"))
            return .values([])
        }
        state.register("sleep") { [unowned self] call in
            try self.scheduler.sleep(call, seconds: try call.number(1, "seconds"))
        }
        state.register("now") { _ in .values([.number(Date().timeIntervalSince1970)]) }
        state.register("parallel") { [unowned self] call in try self.scheduler.parallel(&call) }
        state.register("__step_begin") { [unowned self] call in
            try self.beginStep(try call.string(1, "name"))
            return .values([])
        }
        state.register("__step_end") { [unowned self] call in
            self.endStep(ok: lua_toboolean(call.thread, 1) != 0, trace: try call.optionalString(2, "trace"))
            return .values([])
        }
        state.register("changed") { [unowned self] _ in
            self.markStep("changed")
            return .values([])
        }
        state.register("__step_change") { [unowned self] call in
            let description = try call.string(1, "description")
            if self.options.checkOnly { self.plannedChanges.insert(self.location.machine ?? "") }
            self.markStep(self.options.checkOnly ? "would_change" : "changed", change: description)
            return .values([])
        }
        state.register("__step_pending") { [unowned self] _ in
            .values([.boolean(self.plannedChanges.contains(self.location.machine ?? ""))])
        }
        state.register("checking") { [unowned self] _ in .values([.boolean(self.options.checkOnly)]) }
        state.register("skipped") { [unowned self] call in
            if let reason = try call.optionalString(1, "reason") { self.log("info", "skipped: \(reason)") }
            self.markStep("skipped")
            return .values([])
        }
        state.register("fail") { [unowned self] call in
            let message = try call.string(1, "message")
            let opts = try call.optionalTable(2, "options")
            try opts?.checkKeys(["exit_code"])
            if let code = try opts?.number("exit_code") {
                guard code >= 1, code <= 125, code == code.rounded() else {
                    throw HostError("option 'exit_code' must be a whole number from 1 to 125, got \(code)")
                }
                self.reporter.requestExit(Int32(code))
            }
            throw HostError(message, bare: true)
        }
        state.register("__backoff_delay") { call in
            let backoff = Backoff(initial: try call.number(2, "initial"), factor: try call.number(3, "factor"),
                                  cap: try call.number(4, "cap"))
            return .values([.number(backoff.delay(attempt: Int(try call.integer(1, "attempt"))))])
        }
        state.register("__raise") { call in
            throw HostError(try call.string(2, "message"), bare: true, code: try call.string(1, "code"))
        }
        registerJSON()
        registerToken()
    }

    private func registerJSON() {
        let L = state.L
        lua_createtable(L, 0, 0)
        lua_setfield(L, clawrun_registry_index(), LuaJSON.nullKey)
        state.register("json.encode") { call in
            guard call.count >= 1 else { throw HostError("bad argument #1 'value' (value expected, got no value)") }
            let text = try LuaJSON.encode(call.state, call.thread, at: 1).compactText
            return .values([.string(text)])
        }
        state.register("json.decode") { call in
            let text = try call.string(1, "text")
            do {
                try LuaJSON.push(try JSONValue.parse(text), call.state, on: call.thread)
                return .pushed(1)
            } catch let e as JSONParseError {
                throw HostError("invalid JSON: \(e)")
            }
        }
        lua_getglobal(L, "json")
        lua_getfield(L, clawrun_registry_index(), LuaJSON.nullKey)
        lua_setfield(L, -2, "null")
        lua_pop(L, 1)
    }

    private func registerToken() {
        state.register("token.generate") { [unowned self] call in
            let bytes = try call.isNil(1) ? 32 : call.integer(1, "bytes")
            guard (16...1024).contains(bytes) else {
                throw HostError("bad argument #1 'bytes' (a whole number from 16 to 1024 expected, got \(bytes))")
            }
            let token = TokenGenerator.generate(bytes: Int(bytes))
            if !self.options.showSecrets { self.reporter.redactor.add(token) }
            return .values([.string(token)])
        }
    }

    func beginStep(_ name: String) throws {
        guard let co = scheduler.current else { throw HostError("step must run inside the workflow") }
        co.context.steps.append(name)
        frames[co.id, default: []].append(StepFrame(start: Date().timeIntervalSince1970))
        let (step, machine) = location
        reporter.emit(RunEvent("step_start", step: step, machine: machine))
    }

    func endStep(ok: Bool, trace: String?) {
        guard let co = scheduler.current, var frame = frames[co.id]?.popLast() else { return }
        if frames[co.id]?.isEmpty == true { frames[co.id] = nil }
        let (step, machine) = location
        let end = Date().timeIntervalSince1970
        if !ok { frame.status = "failed" }
        var fields: [(String, JSONValue)] = [("status", .string(frame.status)), ("duration", .double(end - frame.start))]
        if let change = frame.change { fields.append(("change", .string(change))) }
        let firstLine = trace.map { String($0.split(separator: "\n").first ?? "") }
        if !ok, let trace {
            fields.append(("error", .string(trace)))
            reporter.recordFailure()
        }
        reporter.emit(RunEvent("step_end", step: step, machine: machine, fields: fields))
        if let machine {
            tally.stepEnded(machine: machine, status: frame.status, start: frame.start, end: end,
                            error: ok ? nil : firstLine, change: ok ? frame.change : nil)
        } else if ok, let change = frame.change {
            tally.runStepChanged(change)
        }
        if !co.context.steps.isEmpty { co.context.steps.removeLast() }
    }

    func markStep(_ status: String, change: String? = nil) {
        guard let co = scheduler.current, var stack = frames[co.id], !stack.isEmpty else { return }
        if stack[stack.count - 1].status == "ok" || status == "skipped" { stack[stack.count - 1].status = status }
        if let change { stack[stack.count - 1].change = change }
        frames[co.id] = stack
    }
}
