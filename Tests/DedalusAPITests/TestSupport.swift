import MemoryMachines
import ClawrunTestSupport
import ClawrunCore
@testable import DedalusAPI
import MachinesAPIServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The recognisable credential every test uses; no output may ever contain it.
let testKey = "dsk-test-SECRET-abc123"

/// A thread-safe list, for values reported from other tasks.
final class Collector<T>: Sendable {
    private let items = Locked<[T]>([])

    func append(_ item: T) { items.withLock { $0.append(item) } }

    var all: [T] { items.withLock { $0 } }
}

/// One `clawrun serve` server over a fake provider on an ephemeral port, and a `DedalusProvider` pointed at it.
struct Harness {
    let fake: MemoryProvider
    let server: APIServer
    let port: Int
    let provider: DedalusProvider
    /// Every retry the provider reported.
    let retries: Collector<RetryEvent>
    /// Every wait the provider asked for (retries sleep a tenth of it, so tests stay quick).
    let delays: Collector<Double>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a server and a provider, runs `body`, then stops both, even when `body` throws.
    static func with<T>(faults: FaultPlan = FaultPlan(), serverKey: String? = testKey, clientKey: String = testKey,
                        memoryCapacityMiB: Int = 6144, maxConnections: Int = 32, phaseStep: Double = 0.02,
                        _ body: (Harness) async throws -> T) async throws -> T {
        let fake = TinyShell.provider(phaseSeconds: phaseStep)
        let server = APIServer(provider: fake, apiKey: serverKey, faults: faults, memoryCapacityMiB: memoryCapacityMiB)
        let port = try await server.start(port: 0)
        let retries = Collector<RetryEvent>()
        let delays = Collector<Double>()
        let config = try DedalusConfiguration(apiKey: clientKey, baseURL: "http://127.0.0.1:\(port)",
                                              maxConnections: maxConnections)
        let provider = DedalusProvider(configuration: config, onRetry: { retries.append($0) }, sleeper: { seconds in
            delays.append(seconds)
            try await Task.sleep(nanoseconds: UInt64(seconds * 100_000_000))
        })
        let harness = Harness(fake: fake, server: server, port: port, provider: provider, retries: retries, delays: delays)
        do {
            let result = try await body(harness)
            await provider.shutdown()
            await server.stop()
            return result
        } catch {
            await provider.shutdown()
            await server.stop()
            throw error
        }
    }

    /// A poller over the provider with the core's real schedule.
    var poller: Poller { Poller(provider: provider) }

    /// Creates a machine and waits until it runs.
    func runningMachine(_ spec: MachineSpec = MachineSpec(memoryMiB: 2048)) async throws -> Machine {
        let m = try await provider.create(spec)
        return try await poller.waitPhase(machineId: m.id, phases: [.running], timeout: 10)
    }
}

/// A raw request to the server, for what the provider never sends (reused keys, missing auth).
func rawRequest(_ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil) async throws
    -> (status: Int, headers: [String: String], body: [String: Any])
{
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
    if let body { request.httpBody = Data(body.utf8) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var lower: [String: String] = [:]
    for (k, v) in http.allHeaderFields { lower["\(k)".lowercased()] = "\(v)" }
    let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    return (http.statusCode, lower, json)
}
