import ClawrunCore
@testable import DedalusAPI
import MachinesAPIServer
import Foundation
import Testing

@Suite("Retries and injected faults")
struct RetryAndFaultTests {
    @Test func rateLimitWithRetryAfterIsRetriedAfterTheServersDelay() async throws {
        let plan = FaultPlan(rateLimitCount: 1, rateLimitRetryAfter: 1, route: "POST /v1/machines")
        try await Harness.with(faults: plan) { h in
            let m = try await h.provider.create(MachineSpec(memoryMiB: 1024))
            #expect(!m.id.isEmpty)
            let events = h.retries.all
            #expect(events.count == 1)
            #expect(events.first?.status == 429)
            #expect(events.first?.errorCode == "RATE_LIMITED")
            #expect(events.first?.delay == 1.0)
            #expect(h.fake.createdCount == 1)
            #expect(h.server.stats().faults["rate_limited"] == 1)
        }
    }

    @Test func serverErrorBurstIsRetriedWithBackoff() async throws {
        let plan = FaultPlan(serverErrorCount: 2, route: "POST /v1/machines")
        try await Harness.with(faults: plan) { h in
            _ = try await h.provider.create(MachineSpec(memoryMiB: 1024))
            let events = h.retries.all
            #expect(events.map(\.status) == [503, 503])
            #expect(events.map(\.attempt) == [1, 2])
            #expect((0.375...0.5).contains(events[0].delay))
            #expect((0.75...1.0).contains(events[1].delay))
            #expect(Set(events.map(\.idempotencyKey)).count == 1)
            #expect(h.fake.createdCount == 1)
        }
    }

    @Test func droppedConnectionDuringCreateCreatesExactlyOneMachine() async throws {
        try await Harness.with(faults: FaultPlan(dropAfterCreateCount: 1)) { h in
            let m = try await h.provider.create(MachineSpec(memoryMiB: 1024))
            #expect(h.fake.createdCount == 1)
            #expect(h.server.stats().machinesCreated == 1)
            #expect(h.server.stats().faults["idempotent_replay"] == 1, "the retry carried the same Idempotency-Key")
            #expect(h.server.stats().requestsByRoute["POST /v1/machines"] == 2)
            let listed = try await h.provider.listAll()
            #expect(listed.map(\.id) == [m.id])
            let events = h.retries.all
            #expect(events.count == 1)
            #expect(events.first?.status == nil)
            #expect(events.first?.idempotencyKey?.count == 32)
        }
    }

    @Test func droppedConnectionOnReadIsRetried() async throws {
        try await Harness.with { h in
            let m = try await h.provider.create(MachineSpec(memoryMiB: 1024))
            h.server.setFaults(FaultPlan(dropConnectionCount: 1))
            let again = try await h.provider.get(m.id)
            #expect(again.id == m.id)
            #expect(h.retries.all.count == 1)
            #expect(h.retries.all.first?.method == "GET")
        }
    }

    @Test func retriesAreBounded() async throws {
        try await Harness.with(faults: FaultPlan(serverErrorCount: 10)) { h in
            let error = await #expect(throws: ProviderError.self) { try await h.provider.list(cursor: nil, limit: nil) }
            #expect(error?.status == 503)
            #expect(error?.code == "DEPENDENCY_UNAVAILABLE")
            #expect(h.retries.all.count == 2)
            #expect(h.server.stats().requests == 3)
        }
    }

    @Test func firstExecUnavailableIsRetriedWithTheServerHint() async throws {
        try await Harness.with(faults: FaultPlan(firstExecUnavailable: true)) { h in
            let m = try await h.runningMachine()
            let result = try await h.poller.run(machineId: m.id, .shell("echo ok"))
            #expect(result.output.stdout == "ok\n")
            let events = h.retries.all
            #expect(events.count == 1)
            #expect(events.first?.status == 503)
            #expect(events.first?.delay == 0.2)
            #expect(h.server.stats().faults["first_exec_unavailable"] == 1)
        }
    }

    @Test func badRequestIsNotRetriedAndCarriesTheAPIError() async throws {
        try await Harness.with(memoryCapacityMiB: 6144) { h in
            let error = await #expect(throws: ProviderError.self) {
                try await h.provider.create(MachineSpec(memoryMiB: 8192))
            }
            #expect(error?.status == 400)
            #expect(error?.code == "INVALID_REQUEST")
            #expect(error?.message.contains("memory_mib exceeds capacity") == true)
            #expect(error?.remedy?.contains("6144") == true)
            #expect(h.retries.all.isEmpty)
            #expect(h.server.stats().requestsByRoute["POST /v1/machines"] == 1)
            #expect(h.fake.createdCount == 0)
        }
    }

    @Test func unauthorizedIsNotRetriedAndCarriesTheAPIError() async throws {
        try await Harness.with(serverKey: "dsk-test-other-key", clientKey: testKey) { h in
            let error = await #expect(throws: ProviderError.self) { try await h.provider.list(cursor: nil, limit: nil) }
            #expect(error?.status == 401)
            #expect(error?.code == "AUTH_INVALID")
            #expect(error?.message == "invalid Dedalus API key")
            #expect(error?.remedy?.contains("DEDALUS_API_KEY") == true)
            #expect(h.retries.all.isEmpty)
            #expect(h.server.stats().requests == 1)
        }
    }

    @Test func unreachableServerFailsFastWithARemedy() async throws {
        let retries = Collector<RetryEvent>()
        let config = try DedalusConfiguration(apiKey: testKey, baseURL: "http://127.0.0.1:9", connectTimeout: 2)
        let provider = DedalusProvider(configuration: config, onRetry: { retries.append($0) }, sleeper: { _ in })
        let error = await #expect(throws: ProviderError.self) { try await provider.list(cursor: nil, limit: nil) }
        await provider.shutdown()
        #expect(error?.code == "connection_error")
        #expect(error?.remedy?.contains("DEDALUS_BASE_URL") == true)
        #expect(retries.all.count == 2)
        #expect(retries.all.allSatisfy { $0.status == nil })
    }
}
