import ClawrunCore
import Foundation
import LuaRuntime

/// `machine.create/get/list/delete/sleep/wake`, `wait_phase` and `targets()` over the run's provider.
/// `targets()` resolves the command line's selection once; later calls return the same machines.
extension HostContext {
    func registerMachines() {
        let providerName = provider.name
        state.register("machine.create") { [unowned self] call in
            let opts = try call.optionalTable(1, "spec") ?? LuaTable()
            try opts.checkKeys(["vcpu", "memory_mib", "storage_gib", "autosleep", "network"])
            var spec = MachineSpec()
            do {
                if let v = try opts.number("vcpu") {
                    // Zero, negative and NaN are spec.validate()'s to refuse.
                    guard !(v > HostContext.maxVCPU) else {
                        throw HostError("vcpu must be a positive number of at most \(Int(HostContext.maxVCPU)), got \(v)")
                    }
                    spec.vcpu = v
                }
                if let v = try opts.number("memory_mib") {
                    spec.memoryMiB = try HostContext.whole(v, "memory_mib", in: 1...HostContext.maxMemoryMiB)
                }
                if let v = try opts.number("storage_gib") {
                    spec.storageGiB = try HostContext.whole(v, "storage_gib", in: 1...HostContext.maxStorageGiB)
                }
                spec.autosleep = try opts.string("autosleep")
                spec.network = try opts.string("network")
                do { try spec.validate() } catch let e as ClawrunError { throw HostError(e.description) }
            } catch {
                // A size no machine can have is bad input (usually a --set): the run exits 2.
                self.reporter.requestExitIfFailed(2)
                throw error
            }
            let provider = self.provider, reporter = self.reporter, (step, _) = self.location, finalSpec = spec
            let fleet = self.fleet
            return try self.scheduler.perform(call) {
                let m = try await provider.create(finalSpec)
                fleet.machineCreated(m.id)
                reporter.emit(RunEvent("machine_created", step: step, machine: m.id,
                                       fields: [("provider", .string(provider.name))]))
                return [m.luaValue(provider: providerName)]
            }
        }
        registerMachineCall("machine.get") { provider, id in try await provider.get(id) }
        let fleet = self.fleet, tokens = self.tokens
        registerMachineCall("machine.delete") { provider, id in
            let m = try await provider.delete(id)
            fleet.machineDeleted(id)
            // The gateway token dies with its machine; leaving it would keep a secret for nothing.
            try? tokens.removeToken(for: id)
            return m
        }
        registerMachineCall("machine.sleep") { provider, id in try await provider.sleep(id) }
        registerMachineCall("machine.wake") { provider, id in try await provider.wake(id) }
        state.register("machine.list") { [unowned self] call in
            let provider = self.provider
            return try self.scheduler.perform(call) {
                [.table(LuaTable(sequence: try await provider.listAll().map { $0.luaValue(provider: providerName) }))]
            }
        }
        state.register("wait_phase") { [unowned self] call in
            let id = try call.machineId(1)
            let phases: [String]
            switch call.value(2) {
            case .string(let p): phases = [p]
            case .table(let t) where !t.sequence.isEmpty && t.sequence.allSatisfy({ $0.stringValue != nil }):
                phases = t.sequence.compactMap(\.stringValue)
            default:
                throw HostError("bad argument #2 'phase' (a phase name or a list of them expected, got \(call.typeName(2)))")
            }
            let wanted = try Set(phases.map { name -> Phase in
                do { return try Phase.parse(name) } catch let e as ClawrunError { throw HostError(e.description) }
            })
            let opts = try call.optionalTable(3, "options")
            try opts?.checkKeys(["timeout"])
            let timeout = try opts?.number("timeout") ?? 300
            guard timeout > 0, timeout <= 86_400 else {
                throw HostError("option 'timeout' must be between 0 and 86400 seconds, got \(timeout)")
            }
            let poller = self.poller
            return try self.scheduler.perform(call) {
                let m = try await poller.waitPhase(machineId: id, phases: wanted, timeout: timeout)
                return [m.luaValue(provider: providerName)]
            }
        }
        state.register("targets") { [unowned self] call in
            let provider = self.provider, selection = self.options.selection, reporter = self.reporter
            if let known = fleet.resolvedTargets {
                return .values([.table(LuaTable(sequence: known.map { $0.luaValue(provider: providerName) }))])
            }
            return try self.scheduler.perform(call) {
                let machines: [Machine]
                do {
                    machines = try await selection.resolve(provider)
                } catch let e as ClawrunError {
                    throw HostError(e.description)
                }
                fleet.targetsResolved(machines)
                var fields: [(String, JSONValue)] = [("count", .int(Int64(machines.count))),
                                                     ("machines", .array(machines.map { .string($0.id) }))]
                if let shard = selection.shard { fields.append(("shard", .string(shard.description))) }
                reporter.emit(RunEvent("targets", fields: fields))
                return [.table(LuaTable(sequence: machines.map { $0.luaValue(provider: providerName) }))]
            }
        }
    }

    private func registerMachineCall(_ name: String,
                                     _ op: @escaping @Sendable (any MachineProvider, String) async throws -> Machine) {
        let providerName = provider.name
        state.register(name) { [unowned self] call in
            let id = try call.machineId(1)
            let provider = self.provider
            return try self.scheduler.perform(call) { [try await op(provider, id).luaValue(provider: providerName)] }
        }
    }

    /// The largest sizes machine.create accepts: far beyond any machine a provider offers (whose
    /// own answer, such as `memory_mib exceeds capacity`, says what it has), far below what
    /// would overflow.
    static let maxVCPU = 4096.0, maxMemoryMiB = 1 << 30, maxStorageGiB = 1 << 20

    static func whole(_ v: Double, _ name: String, in range: ClosedRange<Int>) throws -> Int {
        guard v == v.rounded(), v >= Double(range.lowerBound), v <= Double(range.upperBound) else {
            throw HostError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got "
                + (v == v.rounded() && abs(v) < 1e18 ? String(Int64(v)) : "\(v)"))
        }
        return Int(v)
    }
}
