import ClawrunCore
import Foundation
import Testing

/// The operation workflows (status, logs, restart, backup, restore, teardown) on local machines
/// with the OpenClaw simulator, each with its bad targets. The gateway log and state folder are
/// OpenClaw's (spec/openclaw-gateway.md; plugins/openclaw.lua M.log_file, the start script).
@Suite(.serialized) struct OperationsTests {
    static let workflows = ["status", "logs", "restart", "backup", "restore", "teardown", "wake-recover"]

    /// Runs a Lua snippet against one machine and returns its value.
    static func lua(_ clawrun: Clawrun, _ id: String, _ source: String) async throws -> JSONValue? {
        let run = try await clawrun([try clawrun.script("snippet", source), "--machine", id, "--json", "-q"])
        guard run.status == 0 else { throw Clawrun.Failure("snippet failed (\(run.status)): \(run.stderr)") }
        return run.value
    }

    static func gatewayPid(_ clawrun: Clawrun, _ id: String) async throws -> String? {
        try await lua(clawrun, id, """
            return exec(targets()[1], {"/bin/bash", "-c", "cat /home/machine/.openclaw/gateway.pid 2>/dev/null; true"})
            """)?.stringValue
    }

    static func rows(_ run: Clawrun.Run) -> [String: JSONValue] {
        let table = run.events.first { $0["event"]?.stringValue == "table" }
        var out: [String: JSONValue] = [:]
        for row in table?["rows"]?.arrayValue ?? [] { if let id = row["machine"]?.stringValue { out[id] = row } }
        return out
    }

    @Test func statusReportsEachMachineWithoutWakingTheSleepingOnes() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        let bare = try #require(try await clawrun([try clawrun.script("bare", """
            local m = machine.create{memory_mib = 256}
            wait_phase(m, "running")
            return m.id
            """), "--json", "-q"]).value?.stringValue)

        let status = try await clawrun.workflow("status")
        #expect(status.status == 0, "\(status.stderr)")
        let rows = Self.rows(status)
        #expect(rows[id]?["phase"]?.stringValue == "running")
        #expect(rows[id]?["deployed"]?.boolValue == true)
        #expect(rows[id]?["gateway"]?.stringValue == "up")
        // The simulator's version (Sources/OpenClawSim/SimulatorVersion.swift).
        #expect(rows[id]?["openclaw"]?.stringValue == "2026.4.12")
        #expect(rows[id]?["token"]?.boolValue == true)
        #expect(rows[bare]?["deployed"]?.boolValue == false)
        #expect(rows[bare]?["token"]?.boolValue == false)
        #expect(rows[bare]?["gateway"] == .null)
        #expect(status.value?["machines"]?.arrayValue?.count == 2)
        let token = try #require(clawrun.recordedToken(id))
        #expect(!status.all.contains(token))

        // The human table has the same rows.
        let human = try await clawrun([Clawrun.packageRoot.appendingPathComponent("workflows/status.lua").path, "--machine", id])
        #expect(human.stdout.contains("MACHINE"))
        #expect(human.stdout.contains("GATEWAY"))
        #expect(human.stdout.contains(" up "))

        _ = try await Self.lua(clawrun, id, """
            local m = targets()[1]
            exec(m, {"/bin/bash", "-c", "kill -9 $(cat /home/machine/.openclaw/gateway.pid)"})
            """)
        #expect(Self.rows(try await clawrun.workflow("status", ["--machine", id]))[id]?["gateway"]?.stringValue == "down")

        _ = try await Self.lua(clawrun, id, "local m = targets()[1]; machine.sleep(m); wait_phase(m, 'sleeping')")
        let asleep = try await clawrun.workflow("status", ["--machine", id])
        #expect(asleep.status == 0, "\(asleep.stderr)")
        #expect(Self.rows(asleep)[id]?["gateway"]?.stringValue == "asleep")
        #expect(Self.rows(asleep)[id]?["phase"]?.stringValue == "sleeping")
        #expect(try await Self.lua(clawrun, id, "return targets()[1].phase")?.stringValue == "sleeping")

        let unknown = try await clawrun.workflow("status", ["--machine", "dm-nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--machine dm-nope: no such machine"))
    }

    @Test func logsShowTheTailOfTheGatewayLog() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        _ = try await Self.lua(clawrun, id, """
            exec(targets()[1], {"/bin/bash", "-c", "printf 'line-a\\\\nline-b\\\\e[2J\\\\nline-c\\\\n' >> /home/machine/.openclaw/gateway.log"})
            """)
        let logs = try await clawrun.workflow("logs", ["--machine", id, "--set", "lines=2"])
        #expect(logs.status == 0, "\(logs.stderr)")
        let text = try #require(logs.value?["logs"]?[id]?.stringValue)
        #expect(text.split(separator: "\n").count == 2)
        #expect(text.hasSuffix("line-c"))
        // What reaches the terminal has no escape sequence from the machine.
        let human = try await clawrun([Clawrun.packageRoot.appendingPathComponent("workflows/logs.lua").path,
                                 "--machine", id, "--set", "lines=2"])
        #expect(human.stdout == "line-b?[2J\nline-c\n")

        #expect(try await clawrun.workflow("logs", ["--machine", id, "--set", "lines=0"]).status == 2)
        #expect(try await clawrun.workflow("logs").status == 2)
        let unknown = try await clawrun.workflow("logs", ["--machine", "dm-nope"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no such machine"))
        let bare = try #require(try await clawrun([try clawrun.script("bare", """
            local m = machine.create{memory_mib = 256}
            wait_phase(m, "running")
            return m.id
            """), "--json", "-q"]).value?.stringValue)
        let none = try await clawrun.workflow("logs", ["--machine", bare])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no gateway log on \(bare)"))
    }

    @Test func restartStartsANewGatewayAndRefusesAMachineWithoutOne() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        let before = try #require(try await Self.gatewayPid(clawrun, id))
        let restart = try await clawrun.workflow("restart", ["--machine", id])
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect(restart.stderr.contains("stopped the gateway (pid \(before))"))
        #expect(restart.stderr.contains("health RPC ok, token accepted"))
        let after = try #require(try await Self.gatewayPid(clawrun, id))
        #expect(after != before)
        #expect(restart.value?["restarted"]?[0]?.stringValue == id)

        let bare = try #require(try await clawrun([try clawrun.script("bare", """
            local m = machine.create{memory_mib = 256}
            wait_phase(m, "running")
            return m.id
            """), "--json", "-q"]).value?.stringValue)
        let refused = try await clawrun.workflow("restart", ["--machine", bare])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("has no clawrun-deployed gateway to restart: deploy it first"))
        #expect(try await Self.lua(clawrun, bare, "return exec(targets()[1], {'/bin/bash', '-c', 'ls -A /home/machine'})")?
            .stringValue?.contains("start-gateway.sh") == false)
        #expect(try await clawrun.workflow("restart").status == 2)
        #expect(try await clawrun.workflow("restart", ["--machine", "dm-nope"]).status == 1)
    }

    @Test func backupThenRestoreBringsBackTheStateAndToken() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        let token = try #require(clawrun.recordedToken(id))
        let dir = clawrun.home.appendingPathComponent("backups").path
        let backup = try await clawrun.workflow("backup", ["--machine", id, "--set", "dir=\(dir)"])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(!backup.all.contains(token))
        let folder = dir + "/" + id
        func mode(_ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
        }
        #expect(mode(dir) == 0o700)
        #expect(mode(folder) == 0o700)
        for name in ["openclaw.tar.gz", "manifest.json", "README.txt"] { #expect(mode(folder + "/" + name) == 0o600, "\(name)") }
        let readme = try String(contentsOfFile: folder + "/README.txt", encoding: .utf8)
        #expect(readme.contains("It holds SECRETS: the gateway's auth token and the LLM provider keys"))
        // The archive is a real tar.gz of .openclaw with the config (and so the token) in it.
        let listing = clawrun.home.appendingPathComponent("list.txt")
        let tar = try ClawrunHome(url: clawrun.home).spawn("/bin/bash", ["-c", "tar -tzf '\(folder)/openclaw.tar.gz' > '\(listing.path)'"])
        #expect(await tar.finish().status == 0)
        #expect(try String(contentsOf: listing, encoding: .utf8).contains(".openclaw/openclaw.json"))

        // Lose the state: a new token in the config, then restore the backup.
        _ = try await Self.lua(clawrun, id, """
            local m = targets()[1]
            exec(m, {"/bin/bash", "-c", "kill -9 $(cat /home/machine/.openclaw/gateway.pid); rm -f /home/machine/.openclaw/openclaw.json"})
            token.save(m, "lost-" .. token.generate())
            """)
        let restore = try await clawrun.workflow("restore", ["--machine", id, "--set", "dir=\(folder)"])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stderr.contains("health RPC ok, token accepted"))
        #expect(clawrun.recordedToken(id) == token)
        #expect(!restore.all.contains(token))
        let kept = try #require(restore.value?["kept"]?.stringValue)
        #expect(kept.hasPrefix("/home/machine/.openclaw.before-restore-"))
        let chat = try await clawrun.workflow("chat", ["--machine", id, "--set", "message=restored"])
        #expect(chat.value?["replies"]?[0]?["reply"]?.stringValue == "Echo: restored")

        // Bad input: no dir, not a backup, a corrupt archive, an unknown machine.
        #expect(try await clawrun.workflow("backup", ["--machine", id]).status == 2)
        #expect(try await clawrun.workflow("restore", ["--machine", id]).status == 2)
        let notBackup = try await clawrun.workflow("restore", ["--machine", id, "--set", "dir=\(dir)"])
        #expect(notBackup.status == 1)
        #expect(notBackup.stderr.contains("is not a clawrun backup folder"))
        let archive = folder + "/openclaw.tar.gz"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: archive))
        let corrupt = try await clawrun.workflow("restore", ["--machine", id, "--set", "dir=\(folder)"])
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.contains("its SHA-256 is not the manifest's"))
        #expect(try await Self.lua(clawrun, id, "return openclaw.health(targets()[1]).ok")?.boolValue == true,
                "a refused restore leaves the gateway as it was")
        #expect(try await clawrun.workflow("backup", ["--machine", "dm-nope", "--set", "dir=\(dir)"]).status == 1)

        // A forged backup whose archive (with a matching manifest) reaches outside .openclaw is refused.
        let forged = clawrun.home.appendingPathComponent("forged").path
        let make = try ClawrunHome(url: clawrun.home).spawn("/bin/bash", ["-c", """
            set -e; mkdir -p '\(forged)/src/.openclaw' '\(forged)/src/evil' && echo x > '\(forged)/src/evil/x'
            tar -czf '\(forged)/openclaw.tar.gz' -C '\(forged)/src' .openclaw evil
            printf '{"sha256":"%s","files":3}' "$(sha256sum '\(forged)/openclaw.tar.gz' | cut -d' ' -f1)" > '\(forged)/manifest.json'
            """])
        #expect(await make.finish().status == 0)
        let refused = try await clawrun.workflow("restore", ["--machine", id, "--set", "dir=\(forged)"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("it holds paths outside .openclaw: evil/"), "\(refused.stderr)")
        #expect(try await Self.lua(clawrun, id, """
            return exec(targets()[1], {"/bin/bash", "-c", "[ -e /home/machine/evil ] && echo yes || echo no"})
            """)?.stringValue == "no")
    }

    @Test func teardownDeletesTheMachineAndForgetsItsToken() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "greet=false"])
        #expect(clawrun.recordedToken(id) != nil)
        let unconfirmed = try await clawrun.workflow("teardown", ["--machine", id])
        #expect(unconfirmed.status == 2)
        #expect(unconfirmed.stderr.contains("add --set confirm=true"))
        #expect(try await Self.lua(clawrun, id, "return targets()[1].phase")?.stringValue == "running")

        let teardown = try await clawrun.workflow("teardown", ["--machine", id, "--set", "confirm=true"])
        #expect(teardown.status == 0, "\(teardown.stderr)")
        #expect(teardown.value?["deleted"]?[0]?.stringValue == id)
        #expect(clawrun.recordedToken(id) == nil)
        let gone = try await clawrun.workflow("status", ["--machine", id])
        #expect(gone.stderr.contains("no such machine") || Self.rows(gone)[id]?["phase"]?.stringValue == "destroyed")
        #expect(try await clawrun.workflow("teardown", ["--set", "confirm=true"]).status == 2)
        #expect(try await clawrun.workflow("teardown", ["--machine", "dm-nope", "--set", "confirm=true"]).status == 1)
    }

    @Test func everyOperationNamesAnUnknownMachine() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        for name in Self.workflows {
            let extra = ["backup", "restore"].contains(name) ? ["--set", "dir=/tmp"] : name == "teardown" ? ["--set", "confirm=true"] : []
            let run = try await clawrun.workflow(name, ["--machine", "dm-nope"] + extra)
            #expect(run.status == 1 || run.status == 2, "\(name): \(run.status)")
            #expect(run.stderr.contains("--machine dm-nope: no such machine"), "\(name): \(run.stderr)")
        }
    }

    /// Cron over an empty fleet or shard has nothing to do (exit 0); no targets at all is bad usage (exit 2).
    @Test func anEmptySelectionIsNothingToDoButNoSelectionIsBadUsage() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        for name in ["wake-recover", "logs", "restart", "teardown"] {
            let empty = try await clawrun.workflow(name, ["--all"])
            #expect(empty.status == 0, "\(name): \(empty.stderr)")
            #expect(empty.stderr.contains("nothing to do"), "\(name)")
            let none = try await clawrun.workflow(name)
            #expect(none.status == 2, "\(name)")
            #expect(none.stderr.contains("\(name) needs targets: --machine ID (repeatable) or --all"))
        }
        let status = try await clawrun.workflow("status")
        #expect(status.status == 0)
        #expect(status.events.first { $0["event"]?.stringValue == "table" }?["rows"] == .array([]))
    }
}
