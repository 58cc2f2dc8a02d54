import ClawrunCore
import Foundation
import Testing

/// The escapes of issue 12, tried from inside local machines as their root by
/// Tests/Attacks/machine_attacks.py, with clawrun run as root and as an unprivileged user; each
/// must fail inside and leave no trace on the host. What stops them: Sources/clawrun-init/main.c
/// (own root, pivot_root, the machine's user namespace and locked mounts) and
/// Sources/CProcess/machine_guard.c (no_new_privs, seccomp), as README.md's "Isolation" says.
@Suite("Sandbox attacks", .serialized)
struct SandboxAttackTests {
    /// Every attempt the script reports; a missing line means an attempt did not run.
    static let attempts = [
        "chroot-escape", "host-files", "file-handles", "remount-tools", "cgroup-kill", "core-pattern", "new-proc",
        "host-processes", "init-cmdline", "init-environ", "host-loopback-127.0.0.1", "host-loopback-10.0.2.2",
        "syscall-keyctl", "syscall-bpf", "syscall-init_module", "syscall-perf_event_open", "syscall-userfaultfd",
        "syscall-unshare-user", "no-new-privs", "other-machines",
    ]

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Attacks/machine_attacks.py")

    @Test("every escape fails from machines of a root clawrun, and the host shows no trace")
    func rootClawrun() async throws {
        try await attack(asNobody: false)
    }

    @Test("every escape fails from machines of a clawrun run as nobody, and the host shows no trace",
          .enabled(if: geteuid() == 0, "needs root to become another user"))
    func rootlessClawrun() async throws {
        try await attack(asNobody: true)
    }

    /// A clawrun killed while its machines boot leaves them to the next one: once they are deleted
    /// no process, mount or folder of them is left (the launchers and inits included), and no
    /// half-made machine base either (Sources/LocalMachines/MachineBase.swift).
    @Test("kill -9 of clawrun mid-boot leaves no process, mount or folder once its machines are deleted")
    func killedMidBoot() async throws {
        try await ClawrunHome.with { cli in
            let script = try cli.write("boot.lua", """
                for i = 1, 12 do machine.create{memory_mib = 256} end
                sleep(30)
                """)
            let running = try cli.start([script, "-q"])
            let machines = cli.url.appendingPathComponent("machines")
            let deadline = Date().addingTimeInterval(30)
            var started: [String] = []
            while started.count < 12 && Date() < deadline {
                started = ((try? FileManager.default.contentsOfDirectory(atPath: machines.path)) ?? []).filter { $0.hasPrefix("dm-") }
                try await Task.sleep(nanoseconds: 2_000_000)
            }
            running.signal(SIGKILL)
            _ = await running.finish()
            #expect(started.count == 12)
            try await Task.sleep(nanoseconds: 300_000_000)
            let inits = started.compactMap { id -> (Int32, String)? in
                let text = (try? String(contentsOfFile: "\(machines.path)/\(id)/init.pid", encoding: .utf8)) ?? ""
                return Int32(text.split(separator: " ").first ?? "").map { ($0, text) }
            }
            await cli.deleteEveryMachine()
            let left = try FileManager.default.contentsOfDirectory(atPath: machines.path)
            #expect(left.allSatisfy { $0.hasSuffix(".destroyed.json") }, "\(left)")
            let bases = (try? FileManager.default.contentsOfDirectory(atPath: cli.url.appendingPathComponent("machine-base").path)) ?? []
            #expect(bases.allSatisfy { !$0.hasPrefix(".new-") }, "\(bases)")
            #expect(!mountInfo().contains(cli.url.path))
            for (pid, _) in inits {
                #expect(processState(pid) == nil || processState(pid) == "Z", "init \(pid) outlived its machine's delete")
            }
            #expect(processesMentioning(cli.url.path).isEmpty, "\(processesMentioning(cli.url.path))")
        }
    }

    private func attack(asNobody: Bool) async throws {
        try await ClawrunHome.with { cli in
            chmod(cli.url.path, 0o777)
            // The binaries machines are given, in a folder of their own, owned by the user clawrun
            // runs as: then only the locked read-only mount keeps a rootless machine from them.
            let bin = cli.url.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            let built = ClawrunHome.binary.deletingLastPathComponent()
            // Copied by cp, not by this process: a child forked meanwhile by a test running in
            // parallel would inherit the copy's write descriptor, and running it would fail (ETXTBSY).
            let names = ["clawrun", "clawrun-init", "openclaw-sim"]
            let copy = try cli.spawn("/bin/cp", names.map { built.appendingPathComponent($0).path } + [bin.path])
            #expect(await copy.finish().status == 0)
            if asNobody { for name in names { chown(bin.appendingPathComponent(name).path, 65534, 65534) } }
            if asNobody { chown(bin.path, 65534, 65534) }
            let binaries = try ["clawrun-init", "openclaw-sim"].map { try Data(contentsOf: bin.appendingPathComponent($0)) }

            // Host fixtures: a folder where an escape would leave markers, a world-readable canary
            // file, a canary process in a cgroup of its own, a loopback-only server.
            let marks = cli.url.appendingPathComponent("marks")
            try FileManager.default.createDirectory(at: marks, withIntermediateDirectories: true)
            chmod(marks.path, 0o777)
            let token = "31\(Int.random(in: 100_000...999_999))"
            let canary = try cli.write("canary", "canary-\(token)\n")
            chmod(canary, 0o644)
            let sleeper = try cli.spawn("/bin/sleep", [token])
            defer { sleeper.signal(SIGKILL); _ = sleeper.waitBlocking() }
            let cgroupName = "clawrun-canary-\(token)"
            let cgroup = cgroup2Mount().map { "\($0)/\(cgroupName)" }
            if let cgroup {
                mkdir(cgroup, 0o755)
                try "\(sleeper.pid)".write(toFile: cgroup + "/cgroup.procs", atomically: false, encoding: .utf8)
            }
            defer {
                if let cgroup { sleeper.signal(SIGKILL); _ = sleeper.waitBlocking(); rmdir(cgroup) }
            }
            let server = try cli.spawn("/usr/bin/python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"])
            defer { server.signal(SIGKILL); _ = server.waitBlocking() }
            try await server.wait { $0.contains(" port ") }
            let port = try #require(server.output.split(separator: " ").drop { $0 != "port" }.dropFirst().first)
            let corePattern = try String(contentsOfFile: "/proc/sys/kernel/core_pattern", encoding: .utf8)

            let attacks = try String(contentsOf: SandboxAttackTests.script, encoding: .utf8)
            let networks = FileManager.default.isExecutableFile(atPath: "/usr/bin/slirp4netns") ? ["none", "nat"] : ["none"]
            let lua = try cli.write("attack.lua", """
                local other = machine.create{memory_mib = 256}
                wait_phase(other, "running", {timeout = 60})
                exec(other, "echo other-secret > /home/machine/secret")
                local found = {}
                for _, network in ipairs{\(networks.map { "\"\($0)\"" }.joined(separator: ", "))} do
                  local m = machine.create{memory_mib = 256, network = network}
                  wait_phase(m, "running", {timeout = 60})
                  local out, res = exec(m, {"/usr/bin/python3", "-"}, {check = false, stdin = [==[\(attacks)]==], env = {
                    MARK_DIR = "\(marks.path)", CANARY_PATH = "\(canary)", CANARY_TOKEN = "\(token)",
                    HOST_HOME = "\(cli.url.path)", OTHER_HOME = "\(cli.url.path)/machines/" .. other.id .. "/home",
                    HOST_PORT = "\(port)", CANARY_CGROUP = "\(cgroupName)"}})
                  found[network] = out .. (res.stderr or "")
                  machine.delete(m)
                  wait_phase(m, "destroyed", {timeout = 60})
                end
                machine.delete(other)
                wait_phase(other, "destroyed", {timeout = 60})
                return found
                """)
            chmod(lua, 0o644)
            let clawrun = bin.appendingPathComponent("clawrun").path
            let r = asNobody
                ? await (try cli.spawn("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                             clawrun, lua, "--json"])).finish()
                : await (try cli.spawn(clawrun, [lua, "--json"])).finish()
            #expect(r.status == 0, "\(r.stderr)")
            let found = r.events.first { $0.event == "result" }?["value"]
            for network in networks {
                let lines = (found?[network]?.stringValue ?? "").split(separator: "\n").map(String.init)
                for attempt in SandboxAttackTests.attempts {
                    let line = lines.first { $0.hasPrefix(attempt + " ") }
                    #expect(line?.hasPrefix(attempt + " blocked") == true, "\(network): \(line ?? "\(attempt) did not run: \(lines)")")
                }
                #expect(!lines.joined().contains("canary-\(token)"), "\(network): the canary file was read")
            }

            // The host, checked from the host.
            #expect(try FileManager.default.contentsOfDirectory(atPath: marks.path).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "/usr/clawrun-attack-marker"))
            #expect(processState(sleeper.pid).map { $0 != "Z" && $0 != "X" } == true, "the canary process was killed")
            #expect(try ["clawrun-init", "openclaw-sim"].map { try Data(contentsOf: bin.appendingPathComponent($0)) } == binaries)
            #expect(try String(contentsOfFile: "/proc/sys/kernel/core_pattern", encoding: .utf8) == corePattern)
            let left = try FileManager.default.contentsOfDirectory(atPath: cli.url.appendingPathComponent("machines").path)
            #expect(left.allSatisfy { $0.hasSuffix(".destroyed.json") }, "\(left)")
            #expect(!mountInfo().contains(cli.url.path), "a mount under the home is left on the host")
        }
    }
}

/// Where the host mounts its cgroup v2 hierarchy, if it has one.
private func cgroup2Mount() -> String? {
    for line in mountInfo().split(separator: "\n") {
        let halves = line.components(separatedBy: " - ")
        if halves.count == 2, halves[1].hasPrefix("cgroup2 ") {
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return String(fields[4]) }
        }
    }
    return nil
}

/// Host processes whose command line names `path` (a machine's launcher would).
private func processesMentioning(_ path: String) -> [String] {
    let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    return pids.compactMap { pid in
        guard pid != getpid(), processState(pid) != "Z",
              let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return text.contains(path) ? "\(pid): \(text.prefix(120))" : nil
    }
}

private func mountInfo() -> String {
    (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
}

/// The state letter of /proc/<pid>/stat, nil when there is no such process.
private func processState(_ pid: pid_t) -> Character? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    return text[text.index(close, offsetBy: 2)...].first
}
