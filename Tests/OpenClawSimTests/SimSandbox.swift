import ClawrunTestSupport
import Foundation
import OpenClawSim
#if canImport(Glibc)
import Glibc
#endif

/// The output of one finished CLI run.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A running `openclaw-sim gateway run` and its log.
final class GatewayProcess {
    let process: Process
    let logPath: String
    let port: Int

    init(process: Process, logPath: String, port: Int) {
        self.process = process
        self.logPath = logPath
        self.port = port
    }

    var pid: Int32 { process.processIdentifier }

    /// Everything the gateway printed so far (stdout and stderr share the file, like gateway.log).
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits (off the cooperative pool) for the exit status; SIGKILL after 5 s.
    @discardableResult
    func stop() async -> Int32 {
        let process = process
        return await offPool {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// SIGKILL without waiting: for cleanup, which runs in a synchronous `defer`.
    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// One test's world: a temporary HOME and OPENCLAW_STATE_DIR, a free port, and the
/// processes it started, all removed by `cleanup()`.
///
/// Unchecked Sendable: tasks share it only through `request`, `get` and `chat`, which read the
/// constant `port`; everything that changes its state runs in the test's own task.
final class SimSandbox: @unchecked Sendable {
    let root: String
    let stateDir: String
    let port: Int
    private(set) var environment: [String: String]
    private var gateways: [GatewayProcess] = []
    private var runCount = 0

    /// The built `openclaw-sim` beside the test bundle (or `OPENCLAW_SIM_BINARY`).
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["OPENCLAW_SIM_BINARY"] { return explicit }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("openclaw-sim").path,
            Bundle.main.bundleURL.appendingPathComponent("openclaw-sim").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/openclaw-sim").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    init() {
        let template = NSTemporaryDirectory() + "openclaw-sim-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        root = bytes.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        stateDir = root + "/.openclaw"
        port = SimSandbox.freePort()
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("OPENCLAW_") && !key.hasSuffix("_API_KEY")
        }
        env["HOME"] = root
        env["OPENCLAW_STATE_DIR"] = stateDir
        env["OPENCLAW_GATEWAY_PORT"] = String(port)
        env["OPENCLAW_NO_RESPAWN"] = "1"
        environment = env
    }

    /// Kills what the test started and deletes its folder. It runs in a synchronous `defer`, so
    /// it sends SIGKILL and does not wait: Foundation reaps the children.
    func cleanup() {
        for gateway in gateways { gateway.kill9() }
        try? FileManager.default.removeItem(atPath: root)
    }

    var configPath: String { stateDir + "/openclaw.json" }

    /// Writes `text` as the config file.
    func writeConfig(_ text: String) {
        try? FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: configPath, contents: Data(text.utf8))
    }

    /// The config file parsed as JSON.
    func readConfig() -> JSONValue? {
        guard let text = try? String(contentsOfFile: configPath, encoding: .utf8) else { return nil }
        return try? JSON5Parser.parseStrict(text)
    }

    /// A config that lets the gateway start on this sandbox's port with the chat endpoint on.
    /// `extra` is more JSON5 members for the root object (`models: {…}, agents: {…},`).
    func writeGatewayConfig(auth: String = #"{ mode: "token", token: "test-token-0123456789abcdef0123" }"#,
                            chat: Bool = true, extra: String = "") {
        writeConfig("""
        // written by the test
        {
          gateway: {
            mode: 'local',
            port: \(port),
            auth: \(auth),
            http: { endpoints: { chatCompletions: { enabled: \(chat) } } },
          },
          \(extra)
        }
        """)
    }

    /// Runs the CLI to completion (at most `timeout` seconds), waiting off the cooperative pool.
    func run(_ args: [String], env extra: [String: String] = [:], timeout: TimeInterval = 20) async -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args
        process.environment = environment.merging(extra) { $1 }
        // Files rather than pipes: a chatty child can never block on a full pipe.
        runCount += 1
        let outPath = root + "/run-\(runCount).out", errPath = root + "/run-\(runCount).err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            return RunResult(status: -1, stdout: "", stderr: "cannot create output files")
        }
        defer { try? out.close(); try? err.close() }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return RunResult(status: -1, stdout: "", stderr: "\(error)") }
        await offPool {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { usleep(5_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        return RunResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Starts `gateway run <args>` with output in a log file; waits until `/healthz` answers
    /// unless `waitReady` is false.
    @discardableResult
    func startGateway(_ args: [String] = [], env extra: [String: String] = [:], waitReady: Bool = true) async throws -> GatewayProcess {
        let logPath = root + "/gateway-\(gateways.count).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["gateway", "run"] + args
        process.environment = environment.merging(extra) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let gateway = GatewayProcess(process: process, logPath: logPath, port: port)
        gateways.append(gateway)
        if waitReady {
            let ready = await waitUntil(seconds: 10) { await self.get("/healthz")?.status == 200 }
            if !ready { throw SandboxError(message: "gateway not ready; log:\n\(gateway.log)") }
        }
        return gateway
    }

    /// One HTTP request to the sandbox gateway (a blocking client, run off the pool); nil when it
    /// does not answer.
    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: String = "",
                 timeoutMs: Int = 5000) async -> LoopbackHTTPClient.Response? {
        let port = port
        return await offPool {
            try? LoopbackHTTPClient.request(host: "127.0.0.1", port: port, method: method, path: path, headers: headers,
                                            body: Array(body.utf8), timeoutMs: timeoutMs)
        }
    }

    /// GET `path` on the sandbox gateway; nil when it does not answer.
    func get(_ path: String, headers: [(String, String)] = []) async -> LoopbackHTTPClient.Response? {
        await request("GET", path, headers: headers)
    }

    /// POST /v1/chat/completions with an optional bearer token.
    func chat(_ body: String, token: String? = nil, headers: [(String, String)] = []) async -> LoopbackHTTPClient.Response? {
        var all = [("Content-Type", "application/json")] + headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        return await request("POST", "/v1/chat/completions", headers: all, body: body)
    }

    /// Polls `condition` every 50 ms (a Task.sleep, which frees the thread) until it holds or the
    /// deadline passes. Tests give a minute: the deadline only tells a hang from a loaded host.
    func waitUntil(seconds: TimeInterval, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        } while Date() < deadline
        return await condition()
    }

    /// A port nothing listens on right now (the kernel's pick for port 0).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct SandboxError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension LoopbackHTTPClient.Response {
    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON.
    var json: JSONValue? { try? JSON5Parser.parse(bytes: body, json5: false) }

    /// The body with HTTP/1.1 chunked framing removed.
    var dechunked: String {
        guard header("transfer-encoding") == "chunked" else { return text }
        var out: [UInt8] = []
        var index = 0
        let bytes = body
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                  let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16) else { break }
            if size == 0 { break }
            out.append(contentsOf: bytes[(lineEnd + 2)..<min(bytes.count, lineEnd + 2 + size)])
            index = lineEnd + 2 + size + 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}
