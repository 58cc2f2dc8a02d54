import ClawrunCore
@testable import DedalusAPI
import MachinesAPIServer
import Foundation
import Testing

@Suite("DedalusProvider against clawrun serve")
struct ProviderLifecycleTests {
    @Test func fullLifecycle() async throws {
        try await Harness.with { h in
            let created = try await h.provider.create(MachineSpec(vcpu: 2, memoryMiB: 4096, storageGiB: 10, autosleep: "30m"))
            #expect(created.id.hasPrefix("dm-"))
            #expect(created.phase == .accepted)
            #expect(created.vcpu == 2 && created.memoryMiB == 4096 && created.storageGiB == 10)
            #expect(created.autosleepSeconds == 1800)

            let running = try await h.poller.waitPhase(machineId: created.id, phases: [.running], timeout: 10)
            #expect(running.reason == "DesiredStateReached")

            let result = try await h.poller.run(machineId: created.id, .shell("echo hello && sleep 0.05"))
            #expect(result.succeeded)
            #expect(result.output.stdout == "hello\n")
            #expect(result.execution.exitCode == 0)

            let failed = try await h.poller.run(machineId: created.id, .shell("exit 7"))
            #expect(failed.execution.status == .failed && failed.execution.exitCode == 7)

            let events = try await h.provider.events(machineId: created.id, executionId: result.execution.id,
                                                     cursor: nil, limit: 2)
            #expect(events.items.map(\.kind) == [.lifecycle, .lifecycle])
            let rest = try await h.provider.events(machineId: created.id, executionId: result.execution.id,
                                                   cursor: events.nextCursor, limit: 10)
            #expect(rest.items.contains { $0.kind == .stdout && $0.chunk == "hello\n" })
            #expect(rest.items.last?.status == .succeeded)

            let execs = try await h.provider.executions(machineId: created.id, cursor: nil, limit: nil)
            #expect(execs.items.count == 2)

            let asleep = try await h.provider.sleep(created.id)
            #expect(asleep.desiredState == .sleeping)
            _ = try await h.poller.waitPhase(machineId: created.id, phases: [.sleeping], timeout: 10)
            let woken = try await h.provider.wake(created.id)
            #expect(woken.desiredState == .running)
            _ = try await h.poller.waitPhase(machineId: created.id, phases: [.running], timeout: 10)
            _ = try await h.provider.reboot(created.id, force: true)
            _ = try await h.poller.waitPhase(machineId: created.id, phases: [.running], timeout: 10)

            let deleted = try await h.provider.delete(created.id)
            #expect(deleted.desiredState == .destroyed)
            let gone = try await h.poller.waitPhase(machineId: created.id, phases: [.destroyed], timeout: 10)
            #expect(gone.phase == .destroyed)
            #expect(h.retries.all.isEmpty)
        }
    }

    @Test func paginationAcrossPages() async throws {
        try await Harness.with { h in
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await h.provider.create(MachineSpec(memoryMiB: 1024)).id) }
            let first = try await h.provider.list(cursor: nil, limit: 2)
            #expect(first.items.count == 2)
            #expect(first.nextCursor != nil)
            #expect(first.items.allSatisfy { $0.createdAt != nil })
            let all = try await h.provider.listAll(pageSize: 2)
            #expect(all.map(\.id) == ids)
            let stats = h.server.stats()
            #expect(stats.requestsByRoute["GET /v1/machines"] == 1 + 3)
        }
    }

    @Test func timedOutExecutionIsExpired() async throws {
        try await Harness.with { h in
            let m = try await h.runningMachine()
            let result = try await h.poller.run(machineId: m.id, .shell("sleep 5", timeoutMs: 100))
            #expect(result.execution.status == .expired)
            #expect(result.execution.errorCode == "execution_timed_out")
        }
    }

    @Test func unknownMachineIsA404WithTheAPIMessage() async throws {
        try await Harness.with { h in
            let error = await #expect(throws: ProviderError.self) { try await h.provider.get("dm-00000000-0000-7000-8000-000000000000") }
            #expect(error?.status == 404)
            #expect(error?.code == "machine_not_found")
            #expect(h.retries.all.isEmpty)
        }
    }

    @Test func invalidStateIsNotRetried() async throws {
        try await Harness.with { h in
            let m = try await h.provider.create(MachineSpec(memoryMiB: 1024))
            _ = try await h.provider.delete(m.id)
            _ = try await h.poller.waitPhase(machineId: m.id, phases: [.destroyed], timeout: 10)
            let error = await #expect(throws: ProviderError.self) { try await h.provider.sleep(m.id) }
            #expect(error?.status == 409)
            #expect(error?.code == "INVALID_STATE")
            #expect(h.retries.all.isEmpty, "x-should-retry: false must stop the SDK rule that retries 409")
        }
    }
}
