import ClawrunCore
import DedalusAPI
import MachinesAPIServer
import Foundation
import Testing

@Suite("Connection reuse")
struct ConnectionReuseTests {
    @Test func twoHundredConcurrentExecutionPollsShareAFewDozenConnections() async throws {
        try await Harness.with(faults: FaultPlan(latencyMs: 5)) { h in
            let m = try await h.runningMachine()
            let poller = h.poller
            let results = try await withThrowingTaskGroup(of: ExecResult.self) { group in
                for i in 0..<200 {
                    group.addTask { try await poller.run(machineId: m.id, .shell("echo \(i) && sleep 0.3")) }
                }
                var all: [ExecResult] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(results.count == 200)
            #expect(results.allSatisfy { $0.succeeded })
            let stats = h.server.stats()
            #expect((stats.requestsByRoute["GET /v1/machines/{machine_id}/executions/{execution_id}"] ?? 0) >= 200)
            #expect(stats.connectionsAccepted <= 40, "accepted \(stats.connectionsAccepted) connections")
            #expect(stats.maxOpenConnections <= 40)
        }
    }
}
