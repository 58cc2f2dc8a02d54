import ClawrunCore
import DedalusAPI
import MachinesAPIServer
import Foundation
import Testing

/// Figures for the exec path, printed when CLAWRUN_BENCH=1: the server adds 20 ms to every
/// request and runs over the in-test fake provider, whose `sleep N` really takes N seconds.
@Suite("Benchmark (CLAWRUN_BENCH=1)")
struct BenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["CLAWRUN_BENCH"] == "1"

    private func requests(_ server: APIServer) -> Int { server.stats().requests }

    @Test(.enabled(if: enabled, "set CLAWRUN_BENCH=1 to run the benchmark"))
    func execPolling() async throws {
        try await Harness.with(faults: FaultPlan(latencyMs: 20)) { h in
            let m = try await h.runningMachine()
            var report: [String] = []

            let rttStart = monotonicNow()
            for _ in 0..<20 { _ = try await h.provider.get(m.id) }
            let rtt = (monotonicNow() - rttStart) / 20
            report.append(String(format: "round trip (GET machine, 20 ms added): %.1f ms", rtt * 1000))

            var walls: [Double] = []
            var counts: [Int] = []
            for _ in 0..<5 {
                let before = requests(h.server)
                let r = try await h.poller.run(machineId: m.id, .shell("sleep 0.3"))
                walls.append(r.duration)
                counts.append(requests(h.server) - before)
            }
            let median = walls.sorted()[2]
            report.append(String(format: "clawrun exec \"sleep 0.3\": median %.3f s over 5 runs (ideal 0.3 s + 5 RTT = %.3f s), requests per exec %@",
                                 median, 0.3 + 5 * rtt, counts.map(String.init).joined(separator: "/")))

            var before = requests(h.server)
            let long = try await h.poller.run(machineId: m.id, .shell("sleep 10"))
            let longRequests = requests(h.server) - before
            report.append(String(format: "clawrun exec \"sleep 10\": %.3f s, %d status requests, %d requests in all",
                                 long.duration, long.polls, longRequests))
            #expect(long.polls <= 16)

            let connectionsBefore = h.server.stats().connectionsAccepted
            before = requests(h.server)
            let fanStart = monotonicNow()
            let poller = h.poller
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<200 { group.addTask { _ = try await poller.run(machineId: m.id, .shell("sleep 1")) } }
                try await group.waitForAll()
            }
            let fanWall = monotonicNow() - fanStart
            let stats = h.server.stats()
            report.append(String(format: "200 concurrent exec \"sleep 1\": %.3f s, %d requests, %d new connections (max open %d)",
                                 fanWall, stats.requests - before, stats.connectionsAccepted - connectionsBefore,
                                 stats.maxOpenConnections))

            if pythonSDKAvailable {
                for command in ["sleep 0.3", "sleep 10"] {
                    before = requests(h.server)
                    let (status, out) = try await runPython("sdk_seed_exec.py", environment: [
                        "DEDALUS_BASE_URL": h.baseURL, "DEDALUS_API_KEY": testKey,
                    ] , arguments: [m.id, command])
                    let line = out.split(separator: "\n").last.map(String.init) ?? out
                    report.append("Python SDK seed algorithm exec \"\(command)\": \(line.trimmingCharacters(in: .whitespaces)), "
                                  + "\(requests(h.server) - before) requests (exit \(status))")
                }
            } else {
                report.append("Python SDK comparison skipped: python3 with dedalus-sdk==0.6.0 not found")
            }
            print("BENCH " + report.joined(separator: "\nBENCH "))
        }
    }
}
