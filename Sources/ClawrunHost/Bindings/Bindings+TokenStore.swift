import ClawrunCore
import Foundation
import LuaRuntime

/// `token.save(m, tok)`, `token.get(m)` and `token.forget(m)`: the gateway token recorded for each machine in
/// CLAWRUN_HOME/tokens. Every token read or written is masked in all output unless the run was
/// given `--set show_token=true`.
extension HostContext {
    func registerTokenStore() {
        state.register("token.save") { [unowned self] call in
            let id = try call.machineId(1)
            let token = try call.string(2, "token")
            guard !token.isEmpty, !token.contains(where: \.isNewline) else {
                throw HostError("bad argument #2 'token' (a non-empty one-line token expected)")
            }
            if !self.options.showSecrets { self.reporter.redactor.add(token) }
            do { try self.tokens.setToken(token, for: id) } catch { throw HostError("\(error)") }
            return .values([])
        }
        state.register("token.get") { [unowned self] call in
            let id = try call.machineId(1)
            let token: String?
            do { token = try self.tokens.token(for: id) } catch { throw HostError("\(error)") }
            guard let token else { return .values([.nil]) }
            if !self.options.showSecrets { self.reporter.redactor.add(token) }
            return .values([.string(token)])
        }
        state.register("token.forget") { [unowned self] call in
            let id = try call.machineId(1)
            do { try self.tokens.removeToken(for: id) } catch { throw HostError("\(error)") }
            return .values([])
        }
    }
}
