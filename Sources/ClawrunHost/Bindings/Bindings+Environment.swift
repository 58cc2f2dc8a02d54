import ClawrunCore
import Foundation
import LuaRuntime

/// `env(name)`: a variable of the caller's environment (an LLM key to hand to a gateway), or nil.
/// Values of names that look secret are masked in all output; the Dedalus credentials are
/// refused so that no workflow can copy the platform key into a machine.
extension HostContext {
    func registerEnvironment() {
        state.register("env") { [unowned self] call in
            let name = try call.string(1, "name")
            guard !name.uppercased().hasPrefix("DEDALUS_") else {
                throw HostError("env: '\(name)' is clawrun's own Dedalus credential and is not given to workflows")
            }
            guard let value = self.options.environment[name], !value.isEmpty else { return .values([.nil]) }
            if SecretRedactor.looksSecret(name) { self.reporter.redactor.add(value) }
            return .values([.string(value)])
        }
    }
}
