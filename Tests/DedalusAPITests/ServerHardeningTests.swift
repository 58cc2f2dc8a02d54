import MemoryMachines
import ClawrunTestSupport
import ClawrunCore
import MachinesAPIServer
import Foundation
import Testing

/// `clawrun serve` against slow, idle and too many clients, over real sockets on 127.0.0.1
/// (Sources/MachinesAPIServer/ConnectionGuard.swift, OverCapacityHandler.swift, APIServer.swift).
@Suite("clawrun serve holds up against slow, idle and too many clients")
struct ServerHardeningTests {
    /// Runs `body` against a server without an API key and with `limits`.
    func withServer(_ limits: ServerLimits, faults: FaultPlan = FaultPlan(),
                    _ body: (APIServer, Int) async throws -> Void) async throws {
        let server = APIServer(provider: TinyShell.provider(), faults: faults, limits: limits)
        let port = try await server.start(port: 0)
        do {
            try await body(server, port)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test func aClientDrippingItsHeadersGets408AndIsClosed() async throws {
        try await withServer(ServerLimits(headerTimeout: 0.5, idleTimeout: 30)) { server, port in
            let socket = try RawSocket(port: port)
            var sent = 0
            let request = Array(keepAliveGET())
            // One byte every 0.1 s: each byte is progress, but the whole request would take 5 s.
            var answer = (text: "", closed: false)
            while sent < request.count, !answer.closed {
                socket.send(String(request[sent]))
                sent += 1
                answer = await socket.read(timeout: 0.1) { !$0.isEmpty }
                if !answer.text.isEmpty { break }
            }
            let rest = await socket.readToClose(timeout: 60)
            let text = answer.text + rest.text
            #expect(text.hasPrefix("HTTP/1.1 408"), "got: \(text)")
            #expect(text.contains("REQUEST_TIMEOUT") && text.contains("--header-timeout"))
            #expect(rest.closed || answer.closed)
            #expect(sent < request.count, "the drip was cut before the request was complete")
            #expect(server.stats().timeouts["header"] == 1)
            #expect(server.stats().requests == 0)
        }
    }

    @Test func aSilentNewConnectionIsClosedAtTheHeaderTimeout() async throws {
        try await withServer(ServerLimits(headerTimeout: 0.3, idleTimeout: 30)) { server, port in
            let socket = try RawSocket(port: port)
            let answer = await socket.readToClose(timeout: 60)
            #expect(answer.closed)
            #expect(answer.text.hasPrefix("HTTP/1.1 408"))
            #expect(server.stats().timeouts["header"] == 1)
        }
    }

    @Test func anIdleKeptAliveConnectionIsClosedAtTheIdleTimeout() async throws {
        try await withServer(ServerLimits(headerTimeout: 30, idleTimeout: 5)) { server, port in
            let socket = try RawSocket(port: port)
            // A second request within the idle timeout keeps it open.
            let answers = await socket.exchange([keepAliveGET(), keepAliveGET()])
            #expect(answers.allSatisfy { $0.hasPrefix("HTTP/1.1 200") }, "got: \(answers)")
            let after = await socket.readToClose(timeout: 60)
            #expect(after.closed && after.text.isEmpty, "an idle close sends nothing: \(after.text)")
            #expect(server.stats().timeouts["idle"] == 1)
            // The count drops when the server's close completes, a moment after the client sees it.
            for _ in 0..<100 where server.stats().openConnections != 0 { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(server.stats().openConnections == 0)
        }
    }

    @Test func aSlowAnswerIsNotCutByTheHeaderTimeout() async throws {
        try await withServer(ServerLimits(headerTimeout: 0.2, idleTimeout: 30), faults: FaultPlan(latencyMs: 600)) { server, port in
            let socket = try RawSocket(port: port)
            socket.send(keepAliveGET())
            #expect(await socket.readResponse().hasPrefix("HTTP/1.1 200"))
            #expect(server.stats().timeouts.isEmpty)
        }
    }

    @Test func connectionsPastTheCapGetAClear503() async throws {
        // The header timeout runs from the accept: on a loaded host the first answer can take longer
        // than the default 10 s, and the second connection, still silent, would get a 408.
        try await withServer(ServerLimits(headerTimeout: 120, maxConnections: 2)) { server, port in
            let first = try RawSocket(port: port)
            let second = try RawSocket(port: port)
            for socket in [first, second] {
                socket.send(keepAliveGET())
                let answer = await socket.readResponse()
                #expect(answer.hasPrefix("HTTP/1.1 200"), "got: \(answer)")
            }
            let third = try RawSocket(port: port)
            third.send(keepAliveGET())
            let refused = await third.readToClose(timeout: 60)
            #expect(refused.text.hasPrefix("HTTP/1.1 503"), "got: \(refused.text)")
            #expect(refused.text.contains("TOO_MANY_CONNECTIONS") && refused.text.contains("--max-connections"))
            #expect(refused.text.lowercased().contains("retry-after"))
            #expect(refused.closed)
            #expect(server.stats().connectionsRefused == 1)
            // The served ones still work, and a freed slot serves the next connection.
            first.send(keepAliveGET())
            #expect(await first.readResponse().hasPrefix("HTTP/1.1 200"))
            second.send("GET /v1/machines HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await second.readToClose(timeout: 60).closed)
            var served = false
            for _ in 0..<50 where !served {
                let next = try RawSocket(port: port)
                next.send(keepAliveGET())
                served = await next.readResponse().hasPrefix("HTTP/1.1 200")
                if !served { try await Task.sleep(nanoseconds: 20_000_000) }
            }
            #expect(served)
            #expect(server.stats().maxOpenConnections == 2)
        }
    }
}

/// `--api-key-file` and `CLAWRUN_SERVE_API_KEY` (Sources/MachinesAPIServer/ServeAPIKey.swift).
@Suite("clawrun serve takes its key from a private file or the environment")
struct ServeAPIKeyTests {
    func keyFile(_ text: String, mode: mode_t) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serve-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("key").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        chmod(path, mode)
        return path
    }

    @Test func aPrivateFileGivesTheKeyTrimmed() throws {
        let path = try keyFile(testKey + "\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(try ServeAPIKey.resolve(file: path, environment: ["CLAWRUN_SERVE_API_KEY": "other"]) == testKey)
        chmod(path, 0o400)
        #expect(try ServeAPIKey.resolve(file: path, environment: [:]) == testKey)
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o700] as [mode_t])
    func aFileOthersCanReachIsRefused(mode: mode_t) throws {
        let path = try keyFile(testKey, mode: mode)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        if mode == 0o700 {
            #expect(try ServeAPIKey.resolve(file: path, environment: [:]) == testKey)
            return
        }
        let error = try #require(throws: ClawrunError.self) { try ServeAPIKey.resolve(file: path, environment: [:]) }
        let text = "\(error)"
        #expect(text.contains("chmod 600 \(path)") && text.contains(String(mode, radix: 8)))
        #expect(!text.contains(testKey) && !text.contains("\n"))
    }

    @Test func badFilesAreRefusedWithoutQuotingThem() throws {
        let empty = try keyFile("  \n", mode: 0o600)
        let twoWords = try keyFile("dsk-test-SECRET-abc123 dsk-test-SECRET-abc123", mode: 0o600)
        let link = (empty as NSString).deletingLastPathComponent + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: twoWords)
        defer {
            for p in [empty, twoWords] { try? FileManager.default.removeItem(atPath: (p as NSString).deletingLastPathComponent) }
        }
        for (path, expected) in [(empty, "is empty"), (twoWords, "one line without spaces"), (link, "symbolic link"),
                                 ("/nonexistent/key", "No such file")] {
            let error = try #require(throws: ClawrunError.self) { try ServeAPIKey.resolve(file: path, environment: [:]) }
            #expect("\(error)".contains(expected), "\(error)")
            #expect("\(error)".contains(path) && !"\(error)".contains(testKey))
        }
    }

    @Test func theEnvironmentIsTheFallback() throws {
        #expect(try ServeAPIKey.resolve(file: nil, environment: ["CLAWRUN_SERVE_API_KEY": testKey]) == testKey)
        #expect(try ServeAPIKey.resolve(file: nil, environment: ["CLAWRUN_SERVE_API_KEY": ""]) == nil)
        #expect(try ServeAPIKey.resolve(file: nil, environment: [:]) == nil)
    }
}
