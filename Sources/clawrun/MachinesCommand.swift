import ArgumentParser
import ClawrunCore
import ClawrunHost
import Foundation
import Reporting

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
        static let configuration = CommandConfiguration(
            abstract: "Delete machines and wait until each is destroyed (more than one needs --yes).")
        @OptionGroup var common: Common
        @Argument(help: "Machine ids.") var ids: [String] = []
        @Option(name: .customLong("machines"), help: ArgumentHelp(
            "Also delete the ids listed in FILE, one a line (# comments ok).", valueName: "@FILE"))
        var files: [String] = []
        @Flag(help: "Delete every machine of the provider.") var all = false
        @Flag(help: "Confirm deleting more than one machine.") var yes = false
        @Option(help: "Seconds to wait for each machine to be destroyed.") var timeout: Double = 120

        mutating func run() async throws {
            // Checked here rather than in validate(): ArgumentParser would wrap the error and exit 1.
            var chosen = TargetFile.unique(try ids + files.flatMap(TargetFile.read))
            guard !chosen.isEmpty || all else {
                throw ClawrunError.usage("machines delete needs machine ids, --machines @FILE or --all")
            }
            if all && !yes { throw ClawrunError.usage("deleting every machine (--all) needs --yes") }
            if chosen.count > 1 && !yes { throw ClawrunError.usage("deleting \(chosen.count) machines needs --yes") }
            let provider = try common.make()
            if all {
                do {
                    chosen = TargetFile.unique(chosen + (try await provider.listAll().map(\.id)))
                } catch {
                    await provider.shutdown()
                    throw error
                }
            }
            let poller = Poller(provider: provider)
            let wait = timeout
            // The local provider ends a machine inside the process that asked, so waiting here is
            // what makes the deletion happen at all; on Dedalus it says when it is done.
            let results = await withTaskGroup(of: (Int, Result<Machine, Error>).self) { group in
                for (index, id) in chosen.enumerated() {
                    group.addTask {
                        do {
                            _ = try await provider.delete(id)
                            return (index, .success(try await poller.waitPhase(machineId: id, phases: [.destroyed],
                                                                                  timeout: wait)))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                var out: [(Int, Result<Machine, Error>)] = []
                for await r in group { out.append(r) }
                return out.sorted { $0.0 < $1.0 }.map(\.1)
            }
            await provider.shutdown()
            var failed = 0
            var deleted: [Machine] = []
            for (id, result) in zip(chosen, results) {
                switch result {
                case .success(let m):
                    deleted.append(m)
                    if !common.json { print("\(TerminalText.escape(m.id)) \(m.phase.rawValue)") }
                case .failure(let error):
                    failed += 1
                    FileHandle.standardError.write(Data("clawrun: \(TerminalText.escape("\(id): \(error)"))\n".utf8))
                }
            }
            if common.json { print(JSONValue.array(deleted.map(MachinesCommand.json)).prettyText()) }
            if failed > 0 { throw ExitCode(1) }
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
            // Ids and reasons are the API's words: escaped before they reach the terminal.
            rows.append([TerminalText.escape(m.id), m.phase.rawValue,
                         m.vcpu == m.vcpu.rounded() && abs(m.vcpu) < 1e15 ? String(Int(m.vcpu)) : String(m.vcpu),
                         String(m.memoryMiB), String(m.storageGiB), TerminalText.escape(m.reason ?? "")])
        }
        return RecapTable.align(rows).joined(separator: "\n")
    }
}
