import ClawrunCore
import LuaRuntime

extension Machine {
    /// The machine as the Lua table that workflows see (`m.id`, `m.phase`, ...).
    func luaValue(provider: String) -> LuaValue {
        var fields: [(String, LuaValue)] = [
            ("autosleep_seconds", .integer(Int64(autosleepSeconds))),
            ("desired_state", .string(desiredState.rawValue)),
            ("id", .string(id)),
            ("memory_mib", .integer(Int64(memoryMiB))),
            ("phase", .string(phase.rawValue)),
            ("provider", .string(provider)),
            ("storage_gib", .integer(Int64(storageGiB))),
            ("vcpu", vcpu == vcpu.rounded() && abs(vcpu) < 1e15 ? .integer(Int64(vcpu)) : .number(vcpu)),
        ]
        if let reason { fields.append(("reason", .string(reason))) }
        if let lastError { fields.append(("last_error", .string(lastError))) }
        if let memoryEnforced { fields.append(("memory_enforced", .boolean(memoryEnforced))) }
        return .table(LuaTable(fields.sorted { $0.0 < $1.0 }))
    }
}

extension HostCall {
    /// A machine argument: a machine table (its `id`) or an id string.
    func machineId(_ n: Int32, _ arg: String = "machine") throws -> String {
        switch value(n) {
        case .string(let id) where !id.isEmpty: return id
        case .table(let t):
            if case .string(let id)? = t["id"], !id.isEmpty { return id }
            throw HostError("bad argument #\(n) '\(arg)' (a machine table with an 'id' field expected, got a table without one)")
        default:
            throw HostError("bad argument #\(n) '\(arg)' (machine or machine id expected, got \(typeName(n)))")
        }
    }
}
