import ArgumentParser
import ClawrunCore
import Foundation

/// `clawrun machines list|get|delete`: looking at the fleet.
struct MachinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machines",
        abstract: "List, show or delete machines.",
        subcommands: [List.self, Get.self, Delete.self]
    )

    struct Common: ParsableArguments {
        @Option(help: "local or dedalus (default as for runs).")
        var provider: String?

        @Flag(help: "JSON instead of a table.")
        var json = false

        func make() throws -> any MachineProvider {
            let env = ProcessInfo.processInfo.environment
            return try ProviderChoice.make(try ProviderChoice.name(flag: provider, env: env), env: env, onRetry: nil)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every machine.")
        @OptionGroup var common: Common

        mutating func run() async throws {
            let provider = try common.make()
            let listed = await MachinesCommand.attempt(provider) { try await $0.listAll() }
            let machines = try listed.get()
            print(common.json ? JSONValue.array(machines.map(MachinesCommand.json)).prettyText()
                  : MachinesCommand.table(machines))
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show machines.")
        @OptionGroup var common: Common
        @Argument(help: "Machine ids.") var ids: [String]

        mutating func run() async throws {
            let provider = try common.make()
            let ids = self.ids
            let machines = try await MachinesCommand.attempt(provider) { p in
                var found: [Machine] = []
                for id in ids { found.append(try await p.get(id)) }
                return found
            }.get()
            print(common.json ? JSONValue.array(machines.map(MachinesCommand.json)).prettyText()
                  : MachinesCommand.table(machines))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete machines (more than one needs --yes).")
        @OptionGroup var common: Common
        @Argument(help: "Machine ids.") var ids: [String]
        @Flag(help: "Confirm deleting more than one machine.") var yes = false

        func validate() throws {
            if ids.count > 1 && !yes { throw UsageError("deleting \(ids.count) machines needs --yes") }
        }

        mutating func run() async throws {
            let provider = try common.make()
            let ids = self.ids
            let deleted = try await MachinesCommand.attempt(provider) { p in
                var done: [Machine] = []
                for id in ids { done.append(try await p.delete(id)) }
                return done
            }.get()
            for m in deleted { print("\(m.id) \(m.phase.rawValue)") }
        }
    }

    /// Runs `body` and then shuts the provider down (awaited, so that a delete the provider
    /// accepted completes before the process exits), whatever `body` did.
    static func attempt<T: Sendable>(_ provider: any MachineProvider,
                                     _ body: @Sendable (any MachineProvider) async throws -> T) async -> Result<T, Error> {
        let result: Result<T, Error>
        do { result = .success(try await body(provider)) } catch { result = .failure(error) }
        await provider.shutdown()
        return result
    }

    static func json(_ m: Machine) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("machine_id", .string(m.id)), ("phase", .string(m.phase.rawValue)),
            ("desired_state", .string(m.desiredState.rawValue)), ("vcpu", .double(m.vcpu)),
            ("memory_mib", .int(Int64(m.memoryMiB))), ("storage_gib", .int(Int64(m.storageGiB))),
            ("autosleep_seconds", .int(Int64(m.autosleepSeconds))),
        ]
        if let r = m.reason { members.append(("reason", .string(r))) }
        return .object(members)
    }

    static func table(_ machines: [Machine]) -> String {
        var rows = [["ID", "PHASE", "VCPU", "MEMORY_MIB", "STORAGE_GIB", "REASON"]]
        for m in machines {
            rows.append([m.id, m.phase.rawValue, m.vcpu == m.vcpu.rounded() ? String(Int(m.vcpu)) : String(m.vcpu),
                         String(m.memoryMiB), String(m.storageGiB), m.reason ?? ""])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { r in
            r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
