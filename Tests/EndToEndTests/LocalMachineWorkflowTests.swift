import Foundation
import Testing

/// Local machines as a workflow sees them, through `clawrun` and Lua.
@Suite(.serialized) struct LocalMachineWorkflowTests {
    @Test func rootResetsOnWakeHomePersistsAndTheHostIsUntouched() async throws {
        try await ClawrunHome.with { cli in
        let marker = "clawrun-e2e-\(UUID().uuidString)"
        let persistScript = try cli.write("persist.lua", """
            local m = machine.create{vcpu = 1, memory_mib = 512}
            wait_phase(m, "running", {timeout = 60})
            exec(m, "echo root > /opt/\(marker) && echo home > /home/machine/\(marker)")
            machine.sleep(m)
            wait_phase(m, "sleeping", {timeout = 60})
            machine.wake(m)
            wait_phase(m, "running", {timeout = 60})
            local _, opt = exec(m, "cat /opt/\(marker)", {check = false})
            local home = exec(m, "cat /home/machine/\(marker)")
            machine.delete(m)
            return {opt_exit = opt.exit_code, home = home}
            """)
        let r = try await cli.run([persistScript, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"value\":{\"home\":\"home\",\"opt_exit\":1}"), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: "/opt/\(marker)"))
        }
    }

    @Test func twoMachinesEachServeTheirOwnLoopbackPort() async throws {
        try await ClawrunHome.with { cli in
        let portsScript = try cli.write("ports.lua", """
            local names = {"alpha", "beta"}
            local results = parallel(names, function(name)
              local m = machine.create{memory_mib = 512}
              wait_phase(m, "running", {timeout = 60})
              exec(m, "mkdir -p /tmp/www && echo " .. name .. " > /tmp/www/index.html && cd /tmp/www && "
                .. "setsid python3 -m http.server 18789 --bind 127.0.0.1 </dev/null &>/dev/null & disown")
              local body
              for _ = 1, 100 do
                local out, res = exec(m, "curl -s http://127.0.0.1:18789/", {check = false})
                if res.exit_code == 0 then body = out break end
                sleep(0.1)
              end
              machine.delete(m)
              return body
            end)
            return {results[1].value, results[2].value}
            """)
        let r = try await cli.run([portsScript, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"value\":[\"alpha\",\"beta\"]"), "\(r.stdout.suffix(400))")
        }
    }

    @Test func aSetsidServerOutlivesItsExecAndNotSleep() async throws {
        try await ClawrunHome.with { cli in
        let setsidScript = try cli.write("setsid.lua", """
            local m = machine.create{memory_mib = 512}
            wait_phase(m, "running", {timeout = 60})
            exec(m, "pgrep -f '^sleep 4242' > /dev/null && echo 'already running' || "
              .. "(setsid sleep 4242 </dev/null &>/dev/null & disown && echo 'launched')")
            -- The launch returns when its bash ends, maybe before the detached child has exec'd sleep.
            local before = exec(m, "for i in $(seq 100); do pgrep -f '^sleep 4242' > /dev/null && break; sleep 0.05; done; "
              .. "pgrep -fc '^sleep 4242'")
            machine.sleep(m)
            wait_phase(m, "sleeping", {timeout = 60})
            local _, after = exec(m, "pgrep -fc '^sleep 4242'", {check = false})
            machine.delete(m)
            return {before = before, after = after.stdout}
            """)
        let r = try await cli.run([setsidScript, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"value\":{\"after\":\"0\\n\",\"before\":\"1\"}"), "\(r.stdout.suffix(300))")
        }
    }

    @Test func timeoutsAndHugeOutputAreReportedNotFatal() async throws {
        try await ClawrunHome.with { cli in
        let limitsScript = try cli.write("limits.lua", """
            local m = machine.create{memory_mib = 512}
            wait_phase(m, "running", {timeout = 60})
            local _, slow = exec(m, "sleep 10", {timeout = 1, check = false})
            local _, big = exec(m, "head -c 50000000 /dev/zero | tr '\\\\0' a", {check = false})
            local ok, err = pcall(exec, m, "sleep 10", {timeout = 1})
            machine.delete(m)
            return {slow = slow.status, bytes = big.stdout_bytes, truncated = big.stdout_truncated,
                    kept = #big.stdout, raised = err}
            """)
        let r = try await cli.run([limitsScript, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"slow\":\"expired\""))
        #expect(r.stdout.contains("\"bytes\":50000000"))
        #expect(r.stdout.contains("\"truncated\":true"))
        #expect(r.stdout.contains("command timed out on dm-"))
        }
    }

    @Test func fiftyMachinesInOneParallelRunLeaveNothingBehind() async throws {
        try await ClawrunHome.with { cli in
        let fiftyScript = try cli.write("fifty.lua", """
            local ids = {}
            for i = 1, 50 do ids[i] = i end
            local results, summary = parallel(ids, function(i)
              local m = machine.create{memory_mib = 256}
              wait_phase(m, "running", {timeout = 120})
              local out = exec(m, "echo machine " .. i)
              machine.delete(m)
              wait_phase(m, "destroyed", {timeout = 60})
              return out
            end, {limit = 50})
            return {ok = summary.ok, left = #machine.list()}
            """)
        let r = try await cli.run([fiftyScript, "--json"])
        #expect(r.status == 0, "\(r.stderr.suffix(1000))")
        #expect(r.stdout.contains("\"value\":{\"left\":0,\"ok\":50}"), "\(r.stdout.suffix(300))")
        let machinesDir = cli.url.appendingPathComponent("machines")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: machinesDir.path))?
            .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".destroyed.json") } ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!mounts.contains(cli.url.path))
        let pgrep = await (try cli.spawn("/usr/bin/pgrep", ["-f", cli.url.appendingPathComponent("machines").path])).finish()
        #expect(pgrep.status == 1, "a process still names the test's machines: \(pgrep.stdout)")
        }
    }

    @Test func badInputGivesClearErrorsNamingTheValue() async throws {
        try await ClawrunHome.with { cli in
        let badScript = try cli.write("bad.lua", """
            local errors = {}
            local function try(f, ...) local ok, e = pcall(f, ...) errors[#errors + 1] = ok and "no error" or e end
            try(machine.get, "dm-00000000-0000-0000-0000-000000000000")
            try(machine.create, {vcpu = -2})
            try(machine.create, {memory_mib = 999999999})
            local m = machine.create{memory_mib = 256}
            wait_phase(m, "running", {timeout = 60})
            try(wait_phase, m, "runing")
            machine.delete(m)
            wait_phase(m, "destroyed", {timeout = 60})
            try(exec, m, "true")
            return {errors = errors, left = #machine.list()}
            """)
        let r = try await cli.run([badScript, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("dm-00000000-0000-0000-0000-000000000000"))
        #expect(r.stdout.contains("vcpu must be a positive number, got -2"))
        #expect(r.stdout.contains("999999999"))
        #expect(r.stdout.contains("unknown phase 'runing'"))
        #expect(r.stdout.contains("machine_not_found"))
        #expect(r.stdout.contains("\"left\":0"))
        }
    }

    @Test func aClawrunInstalledWithoutItsInitSaysWhatIsMissing() async throws {
        try await ClawrunHome.with { cli in
            let alone = cli.url.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
            try writeExecutable(Data(contentsOf: ClawrunHome.binary), to: alone.appendingPathComponent("clawrun"))
            let script = try cli.write("one.lua", "machine.create{}")
            let r = await (try cli.spawn(alone.appendingPathComponent("clawrun").path, [script])).finish()
            #expect(r.status == 1)
            #expect(r.stderr.contains("\(alone.path)/clawrun-init is missing"), "\(r.stderr)")
            let machines = (try? FileManager.default.contentsOfDirectory(atPath: cli.url.appendingPathComponent("machines").path)) ?? []
            #expect(machines.isEmpty)
        }
    }

    @Test func clawrunFoundThroughPathMountsItsOwnFolderInMachines() async throws {
        try await ClawrunHome.with { cli in
            let script = try cli.write("tools.lua", """
                local m = machine.create{memory_mib = 256}
                wait_phase(m, "running", {timeout = 60})
                local seen = exec(m, "ls /run/clawrun | grep -x -e clawrun -e openclaw-sim | sort | tr '\\\\n' ' '")
                machine.delete(m)
                return seen
                """)
            let bin = ClawrunHome.binary.deletingLastPathComponent().path
            let r = await (try cli.spawn("/usr/bin/env", ["PATH=\(bin):/usr/bin:/bin", "clawrun", script, "--json"])).finish()
            #expect(r.status == 0, "\(r.stderr)")
            // Only the programs machines run are mounted, not the rest of clawrun's folder (issue 12).
            #expect(r.events.first { $0.event == "result" }?["value"]?.stringValue == "openclaw-sim ")
        }
    }

    /// Run as `nobody` when the tests run as root: the machine gets an outer user namespace too.
    @Test(.enabled(if: geteuid() == 0, "needs root to become another user"))
    func aUserWithoutRootGetsWorkingMachines() async throws {
        try await ClawrunHome.with { cli in
            // A folder that user can reach, whatever the checkout's own permissions.
            let bin = cli.url.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            for name in ["clawrun", "clawrun-init"] {
                let data = try Data(contentsOf: ClawrunHome.binary.deletingLastPathComponent().appendingPathComponent(name))
                try writeExecutable(data, to: bin.appendingPathComponent(name))
            }
            chmod(cli.url.path, 0o777)
            let script = try cli.write("rootless.lua", """
                local m = machine.create{memory_mib = 256}
                wait_phase(m, "running", {timeout = 60})
                local first = exec(m, "id -u; echo x > /opt/rootless; cat /opt/rootless; ls -A /home")
                machine.sleep(m)
                wait_phase(m, "sleeping", {timeout = 60})
                local after = exec(m, "test -e /opt/rootless && echo kept || echo reset")
                machine.delete(m)
                wait_phase(m, "destroyed", {timeout = 60})
                return {first = first, after = after}
                """)
            chmod(script, 0o644)
            let r = await (try cli.spawn("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                              bin.appendingPathComponent("clawrun").path, script, "--json"])).finish()
            #expect(r.status == 0, "\(r.stderr)")
            let result = r.events.first { $0.event == "result" }?["value"]
            #expect(result?["first"]?.stringValue == "0\nx\nmachine")
            #expect(result?["after"]?.stringValue == "reset")
            let left = try FileManager.default.contentsOfDirectory(atPath: cli.url.appendingPathComponent("machines").path)
            #expect(left.count == 1 && left[0].hasSuffix(".destroyed.json"), "\(left)")
        }
    }

    /// A machine made with `network = "nat"` reaches a server on the host's own network address
    /// through slirp4netns; a machine without it reaches nothing there.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/slirp4netns") && hostAddress() != nil,
                   "needs slirp4netns and a non-loopback IPv4 address"))
    func natReachesTheHostNetworkAndNoneDoesNot() async throws {
        try await ClawrunHome.with { cli in
            let address = try #require(hostAddress())
            let server = try cli.spawn("/usr/bin/python3", ["-u", "-m", "http.server", "0", "--bind", address])
            defer { server.signal(SIGKILL); _ = server.waitBlocking() }
            try await server.wait { $0.contains(" port ") }
            let port = try #require(server.output.split(separator: " ").drop { $0 != "port" }.dropFirst().first)
            let script = try cli.write("nat.lua", """
                local url = "http://\(address):\(port)/"
                local codes = {}
                for _, network in ipairs{"nat", "none"} do
                  local m = machine.create{memory_mib = 256, network = network}
                  wait_phase(m, "running", {timeout = 60})
                  codes[network] = exec(m, "curl -s -o /dev/null -w '%{http_code}' --max-time 3 " .. url .. " || true")
                  machine.delete(m)
                end
                return codes
                """)
            let r = try await cli.run([script, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let codes = r.events.first { $0.event == "result" }?["value"]
            #expect(codes?["nat"]?.stringValue == "200", "\(r.stdout.suffix(300))")
            #expect(codes?["none"]?.stringValue == "000")
        }
    }

    @Test func targetsComeFromMachineFlags() async throws {
        try await ClawrunHome.with { cli in
        let makeScript = try cli.write("make.lua", "local m = machine.create{memory_mib = 256}\nwait_phase(m, 'running')\nreturn m.id")
        let made = try await cli.run([makeScript, "--json"])
        let id = made.events.first { $0.event == "result" }?["value"]?.stringValue ?? ""
        #expect(id.hasPrefix("dm-"))
        let listScript = try cli.write("list.lua", "local t = targets()\nreturn #t .. ':' .. t[1].id .. ':' .. t[1].phase")
        let listed = try await cli.run([listScript, "--machine", id, "--json"])
        #expect(listed.stdout.contains("\"value\":\"1:\(id):running\""), "\(listed.stdout.suffix(300)) \(listed.stderr)")
        let unknown = try await cli.run([listScript, "--machine", "dm-nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--machine dm-nope: no such machine"))
        }
    }
}

/// The host's first non-loopback IPv4 address, which a NAT machine reaches as any outside address.
func hostAddress() -> String? {
    var list: UnsafeMutablePointer<ifaddrs>?
    guard getifaddrs(&list) == 0 else { return nil }
    defer { freeifaddrs(list) }
    var entry = list
    while let e = entry {
        defer { entry = e.pointee.ifa_next }
        guard let addr = e.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET),
              e.pointee.ifa_flags & UInt32(IFF_LOOPBACK) == 0, e.pointee.ifa_flags & UInt32(IFF_UP) != 0 else { continue }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        if getnameinfo(addr, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0,
                       NI_NUMERICHOST) == 0 {
            return String(cString: host)
        }
    }
    return nil
}

/// Writes a program through a close-on-exec descriptor: a test elsewhere in this process that
/// forks while the copy is open must not inherit it, or exec(2) of the copy fails with ETXTBSY.
func writeExecutable(_ data: Data, to url: URL) throws {
    let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == data.count else { throw POSIXError(.EIO) }
}
