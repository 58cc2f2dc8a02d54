import ClawrunTestSupport
import ClawrunCore
import MachinesAPIServer
import Foundation
import MemoryMachines
import Testing

/// Runs a Python script from this folder with the given environment and arguments; returns its exit status and output.
/// The waiting happens on a Dispatch thread: blocking the cooperative pool (two threads on two
/// cores) would starve the in-process server the script talks to.
func runPython(_ script: String, environment: [String: String], arguments: [String] = [], timeout: Double = 120)
    async throws -> (Int32, String)
{
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", folder.appendingPathComponent(script).path] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let watchdog = DispatchWorkItem { process.terminate() }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
    let data = await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
        DispatchQueue.global().async {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(returning: data)
        }
    }
    watchdog.cancel()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Whether `python3` can import the official SDK.
let pythonSDKAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import dedalus_sdk, sys; sys.exit(0 if dedalus_sdk.__version__ == '0.6.0' else 1)"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

@Suite("The official Python SDK against clawrun serve")
struct PythonSDKTests {
    @Test(.enabled(if: pythonSDKAvailable, "needs python3 with dedalus-sdk==0.6.0 (pip install dedalus-sdk==0.6.0)"))
    func officialSDKRunsTheLifecycle() async throws {
        let fake = TinyShell.provider()
        let server = APIServer(provider: fake, apiKey: testKey, faults: FaultPlan(firstExecUnavailable: true),
                                    memoryCapacityMiB: 6144)
        let port = try await server.start(port: 0)
        let (status, output) = try await runPython("sdk_lifecycle.py", environment: [
            "DEDALUS_BASE_URL": "http://127.0.0.1:\(port)", "DEDALUS_API_KEY": testKey,
        ])
        let stats = server.stats()
        await server.stop()
        #expect(status == 0, "sdk_lifecycle.py failed:\n\(output)")
        #expect(stats.faults["first_exec_unavailable"] == 1, "the SDK retried the guest-agent 503")
        #expect(!output.contains(testKey))
    }
}

@Suite("The official Python SDK against a rate-limited, memory-backed clawrun serve")
struct PythonSDKRateLimitTests {
    /// Sources/MachinesAPIServer/RateLimiter.swift and Sources/MemoryMachines/MemoryProvider.swift, as
    /// `clawrun serve --rate-limit 5/s --rate-burst 2 --machines-backend memory --seed-machines 3` serves them.
    @Test(.enabled(if: pythonSDKAvailable, "needs python3 with dedalus-sdk==0.6.0 (pip install dedalus-sdk==0.6.0)"))
    func theSDKSeesTheRealHintsAndMemoryMachines() async throws {
        let table = ExecTable(entries: [
            .init(command: "hostname", stdout: "memory-host\n", durationMs: 120),
            .init(command: "false", exitCode: 3, stderr: "scripted failure\n"),
            .init(prefix: "true"),
        ])
        let memory = MemoryProvider(table: table)
        memory.seed(count: 3)
        let server = APIServer(provider: memory, apiKey: testKey, rateLimit: RateLimit(rate: 5, burst: 2))
        let port = try await server.start(port: 0)
        let (status, output) = try await runPython("sdk_rate_limit.py", environment: [
            "DEDALUS_BASE_URL": "http://127.0.0.1:\(port)", "DEDALUS_API_KEY": testKey,
        ])
        let stats = server.stats()
        await server.stop()
        #expect(status == 0, "sdk_rate_limit.py failed:\n\(output)")
        #expect(stats.rateLimited > 0)
        #expect(!output.contains(testKey))
    }

    @Test func theRateLimitParsesAndRefills() throws {
        #expect(RateLimit.parse("500/s") == RateLimit(rate: 500))
        #expect(RateLimit.parse("600/m")?.rate == 10)
        #expect(RateLimit.parse("12") == RateLimit(rate: 12))
        for bad in ["", "fast", "0/s", "-1/s", "5/h", "nan/s", "inf"] { #expect(RateLimit.parse(bad) == nil, "\(bad)") }
    }
}
