import ClawrunCore
@testable import DedalusAPI
import MachinesAPIServer
import Foundation
import MemoryMachines
import Testing

/// The run's request budget and its answer to 429s (Sources/DedalusAPI/RequestGovernor.swift).
@Suite("A run that respects a rate-limited API")
struct ThrottleTests {
    @Test func theBudgetSpacesRequestsEvenly() async throws {
        let governor = RequestGovernor(rate: 100, maxInFlight: 8, saturationDeadline: 60)
        let waits = Collector<Double>()
        for _ in 0..<10 {
            try await governor.admit(sleeper: { waits.append($0) })
            governor.release()
            governor.answered(success: true)
        }
        // The sleeper here returns at once, so the k-th request is booked k × 10 ms after the first
        // (less the moments already passed), and the first goes without a wait.
        let w = waits.all
        #expect(w.count == 9, "\(w)")
        for (i, wait) in w.enumerated() { #expect(abs(wait - Double(i + 1) * 0.01) < 0.005, "\(w)") }
        #expect(governor.report.requests == 10)
    }

    @Test func a429HoldsBackEveryRequestAndLowersTheRate() async throws {
        let now = Locked(0.0)
        let governor = RequestGovernor(rate: nil, maxInFlight: 8, saturationDeadline: 1, clock: { now.withLock { $0 } })
        for _ in 0..<50 {
            now.withLock { $0 += 0.002 }
            governor.answered(success: true)
        }
        let verdict = governor.rateLimited(hint: 0.2)
        #expect(verdict.saturatedFor == nil && verdict.announce && verdict.wait == 0.2)
        let waits = Collector<Double>()
        try await governor.admit(sleeper: { waits.append($0) })
        #expect(waits.all == [0.2], "the server's hint holds back the next request")
        governor.release()
        #expect(governor.rateLimited(hint: 0.2).announce == false, "one announcement per 5 s")
        now.withLock { $0 += 1.5 }
        #expect(governor.rateLimited(hint: 0.2).saturatedFor != nil, "only 429s for longer than the deadline")
        #expect(governor.report.rateLimited == 3)
    }

    @Test func aRateLimitedServerSlowsTheProviderDownWithoutFailures() async throws {
        let memory = MemoryProvider(phaseSeconds: 0)
        memory.seed(count: 20)
        let server = APIServer(provider: memory, apiKey: testKey, rateLimit: RateLimit(rate: 40, burst: 5))
        let port = try await server.start(port: 0)
        let retries = Collector<RetryEvent>()
        let provider = DedalusProvider(configuration: try DedalusConfiguration(apiKey: testKey, baseURL: "http://127.0.0.1:\(port)"),
                                       onRetry: { retries.append($0) })
        let ids = (1...20).map { String(format: "dm-00000000-0000-7000-8000-%012x", $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids + ids + ids { group.addTask { _ = try await provider.get(id) } }
            try await group.waitForAll()
        }
        let report = provider.throttleReport
        await provider.shutdown()
        let stats = server.stats()
        await server.stop()
        #expect(stats.rateLimited > 0 && report.rateLimited == stats.rateLimited)
        #expect(report.requests == stats.requests && report.throttledSeconds > 0)
        #expect(retries.all.count <= 2 && retries.all.allSatisfy { $0.status == 429 }, "\(retries.all)")
    }
}
