import ClawrunCore
import Foundation
import Testing
@testable import LocalMachines

@Suite("Local machine lifecycle and limits", .serialized)
struct LocalMachinesLifecycleTests {
    @Test("50 machines created, used and deleted at once leave no process, mount or folder")
    func fiftyMachines() async throws {
        try await TestHome.with { t in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let m = try await t.running()
                        let r = try await t.sh(m.id, "hostname")
                        #expect(r.output.stdout == m.id + "\n")
                        _ = try await t.provider.delete(m.id)
                        let gone = try await t.poller.waitPhase(machineId: m.id, phases: [.destroyed], timeout: 120)
                        #expect(gone.phase == .destroyed)
                    }
                }
                try await group.waitForAll()
            }
            #expect(t.processesUsingHome().isEmpty, "\(t.processesUsingHome())")
            #expect(t.mountsUnderHome().isEmpty)
            #expect(t.machineFolders().isEmpty)
            #expect(try await t.provider.list(cursor: nil, limit: nil).items.isEmpty)
        }
    }

    @Test("machines/ is marked a top directory, so that ext4 gives each machine's folder a block group of its own",
          .enabled(if: TestHome.temporaryFilesystemTakesTopDirectories))
    func machinesFolderIsTopDirectory() async throws {
        try await TestHome.with { t in
            _ = try await t.provider.create(MachineSpec(memoryMiB: 256))
            let fd = open(t.url.appendingPathComponent("machines").path, O_RDONLY | O_DIRECTORY)
            #expect(fd >= 0)
            defer { close(fd) }
            // FS_IOC_GETFLAGS (_IOR('f', 1, long)) and FS_TOPDIR_FL, from linux/fs.h.
            var flags: Int32 = 0
            #expect(ioctl(fd, 0x8008_6601, &flags) == 0)
            #expect(flags & 0x0002_0000 != 0)
        }
    }

    @Test("bad input is refused with the value named, leaving nothing behind")
    func badInput() async throws {
        try await TestHome.with { t in
            let unknown = "dm-00000000-0000-7000-8000-000000000000"
            await #expect(throws: ProviderError.machineNotFound(unknown)) { try await t.provider.get(unknown) }
            await #expect(throws: ProviderError.machineNotFound("../etc")) { try await t.provider.get("../etc") }
            await #expect(throws: ProviderError.machineNotFound(unknown)) {
                try await t.provider.startExecution(machineId: unknown, .shell("true"))
            }
            do {
                _ = try await t.provider.create(MachineSpec(vcpu: -1))
                Issue.record("negative vcpu was accepted")
            } catch let error as ClawrunError {
                #expect(error.description.contains("vcpu") && error.description.contains("-1"))
            }
            let huge = HostSupport.totalMemoryMiB * 4
            do {
                _ = try await t.provider.create(MachineSpec(memoryMiB: huge))
                Issue.record("memory above the host's was accepted")
            } catch let error as ClawrunError {
                guard case .invalidArgument(let message) = error else { throw error }
                #expect(message.contains("memory_mib \(huge)"))
            }
            await #expect(throws: ClawrunError.self) { try await t.provider.create(MachineSpec(memoryMiB: 0)) }
            await #expect(throws: ClawrunError.self) { try await t.provider.create(MachineSpec(network: "bridge")) }
            #expect(t.machineFolders().isEmpty)

            let m = try await t.running()
            _ = try await t.provider.delete(m.id)
            _ = try await t.poller.waitPhase(machineId: m.id, phases: [.destroyed], timeout: 60)
            let refused = try await t.sh(m.id, "true")
            #expect(refused.execution.status == .failed)
            #expect(refused.execution.errorCode == "machine_not_found")
            #expect(refused.execution.errorMessage?.contains(m.id) == true)
            #expect(refused.execution.exitCode == nil)
            await #expect(throws: ProviderError.self) { try await t.provider.wake(m.id) }
            #expect(t.machineFolders().isEmpty, "\(FileManager.default.subpaths(atPath: t.url.path) ?? [])")
            #expect(t.processesUsingHome().isEmpty)
        }
    }

    @Test("a new provider on the same home sees the machine; a killed init shows sleeping; an exec wakes it")
    func stateSurvivesProcess() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            let other = try LocalProvider(home: t.url)
            let seen = try await other.get(m.id)
            #expect(seen.phase == .running)
            #expect(try await other.list(cursor: nil, limit: nil).items.map(\.id) == [m.id])

            let identity = try #require(other.store.initIdentity(m.id))
            identity.send(SIGKILL)
            let slept = try await Poller(provider: other).waitPhase(machineId: m.id, phases: [.sleeping], timeout: 30)
            #expect(slept.reason == "SandboxExited")
            #expect(slept.desiredState == .running)

            let started = try await other.startExecution(machineId: m.id, .shell("echo awake"))
            #expect(started.status == .wakeInProgress)
            let (done, _) = try await Poller(provider: other).waitExecution(machineId: m.id, execution: started,
                                                                            timeout: 120)
            #expect(done.status == .succeeded)
            #expect(try await other.output(machineId: m.id, executionId: done.id).stdout == "awake\n")
            let events = try await other.events(machineId: m.id, executionId: done.id, cursor: nil, limit: nil)
            #expect(events.items.compactMap(\.status) == [.wakeInProgress, .queued, .running, .succeeded])
            // The sandbox is the child of the provider that woke it: that one ends it and reaps it.
            _ = try await other.sleep(m.id)
            _ = try await Poller(provider: other).waitPhase(machineId: m.id, phases: [.sleeping], timeout: 60)
            await other.shutdown()
        }
    }

    @Test("list pages with a cursor")
    func listPages() async throws {
        try await TestHome.with { t in
            async let a = t.running()
            async let b = t.running()
            async let c = t.running()
            let ids = try await [a, b, c].map(\.id).sorted()
            let first = try await t.provider.list(cursor: nil, limit: 2)
            #expect(first.items.map(\.id) == Array(ids.prefix(2)))
            let second = try await t.provider.list(cursor: first.nextCursor, limit: 2)
            #expect(second.items.map(\.id) == [ids[2]])
            #expect(second.nextCursor == "")
        }
    }

    @Test("memory enforcement is reported, and nat without slirp4netns names the package")
    func memoryAndNetwork() async throws {
        try await TestHome.with { t in
            let m = try await t.running()
            #expect(m.memoryEnforced == MemoryLimit.isAvailable)
            if let limit = MemoryLimit.directory(machineID: m.id), m.memoryEnforced == true {
                #expect(ProcFiles.read(limit.appendingPathComponent("memory.max").path)?.hasPrefix("268435456") == true)
                let cgroup = try await t.sh(m.id, "cat /proc/self/cgroup")
                #expect(cgroup.output.stdout.contains(m.id))
            }
            if HostSupport.find("slirp4netns") == nil {
                do {
                    _ = try await t.provider.create(MachineSpec(network: "nat"))
                    Issue.record("nat was accepted without slirp4netns")
                } catch let error as ClawrunError {
                    #expect(error.description.contains("apt-get install -y slirp4netns"))
                }
            }
            let net = try await t.sh(m.id, "ip -o link | awk -F': ' '{print $2}'")
            #expect(net.output.stdout == "lo\n")
        }
    }

    @Test("the tools directory is read-only at /run/clawrun; a missing one makes the machine fail with the reason")
    func toolsDirectory() async throws {
        let tools = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-tools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tools) }
        try "#!/bin/sh\necho sim\n".write(to: tools.appendingPathComponent("openclaw-sim"), atomically: true,
                                           encoding: .utf8)
        chmod(tools.appendingPathComponent("openclaw-sim").path, 0o755)
        try await TestHome.with(toolsDirectory: tools) { t in
            let m = try await t.running()
            let r = try await t.sh(m.id, "/run/clawrun/openclaw-sim; touch /run/clawrun/x 2>/dev/null || echo read-only")
            #expect(r.output.stdout == "sim\nread-only\n")
        }
        try await TestHome.with(toolsDirectory: tools.appendingPathComponent("missing")) { t in
            let created = try await t.provider.create(MachineSpec(memoryMiB: 256))
            let m = try await t.poller.waitPhase(machineId: created.id, phases: [.failed], timeout: 120)
            #expect(m.reason == "SandboxStartFailed")
            #expect(m.lastError?.contains("missing") == true, "\(m.lastError ?? "")")
            let refused = try await t.sh(m.id, "true")
            #expect(refused.execution.errorCode == "machine_not_routable")
            #expect(refused.execution.exitCode == nil)
            #expect(t.processesUsingHome().isEmpty)
        }
    }
}
