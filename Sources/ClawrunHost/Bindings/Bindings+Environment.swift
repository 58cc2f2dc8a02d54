import ClawrunCore
import Foundation
import LuaRuntime

/// `env(name)` and `os.getenv(name)`: a variable of the caller's environment (an LLM key to hand
/// to a gateway), or nil. Values of names that look secret are masked in all output; the Dedalus
/// credentials are refused so that no workflow can copy the platform key into a machine.
/// `print` and `io.write` go through the same masking and, under `--json`, become `log` events
/// so that stdout stays JSON Lines.
extension HostContext {
    func registerEnvironment() {
        let getenv: HostFunction = { [unowned self] call in
            let name = try call.string(1, "name")
            guard !name.uppercased().hasPrefix("DEDALUS_") else {
                throw HostError("'\(name)' is clawrun's own Dedalus credential and is not given to workflows")
            }
            guard let value = self.options.environment[name], !value.isEmpty else { return .values([.nil]) }
            if SecretRedactor.looksSecret(name) { self.reporter.redactor.add(value) }
            return .values([.string(value)])
        }
        state.register("env", getenv)
        state.register("os.getenv", getenv)
        state.register("__write") { [unowned self] call in
            self.write(try call.string(1, "text"))
            return .values([])
        }
    }

    /// Script output (`print`, `io.write`): masked, then a log event under `--json`, else stdout.
    private func write(_ text: String) {
        guard options.json else {
            FileHandle.standardOutput.write(Data(reporter.redactor.redact(text).utf8))
            return
        }
        let line = text.hasSuffix("\n") ? String(text.dropLast()) : text
        log("info", line)
    }
}
