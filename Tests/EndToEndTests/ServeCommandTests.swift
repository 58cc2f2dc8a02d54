import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `clawrun serve`'s key never on the command line (Sources/clawrun/ServeCommand.swift,
/// Sources/MachinesAPIServer/ServeAPIKey.swift), run as a user runs it.
@Suite struct ServeCommandTests {
    let key = "dsk-test-SERVE-key-7f3a"

    @Test func aKeyOnTheCommandLineIsRefusedWithThePrivateWays() async throws {
        try await ClawrunHome.with { home in
            let r = try await home.run(["serve", "--port", "0", "--api-key", key])
            #expect(r.status == 2)
            #expect(r.stderr.contains("--api-key-file") && r.stderr.contains("CLAWRUN_SERVE_API_KEY"))
            #expect(!r.stderr.contains(key))
        }
    }

    @Test func aKeyFileOthersCanReadIsRefused() async throws {
        try await ClawrunHome.with { home in
            let path = try home.write("key", key + "\n")
            chmod(path, 0o644)
            let r = try await home.run(["serve", "--port", "0", "--api-key-file", path])
            #expect(r.status == 2)
            #expect(r.stderr.contains("chmod 600 \(path)"))
            #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
            #expect(!r.stderr.contains(key))
        }
    }

    @Test func aPrivateKeyFileIsRequiredAndNotInTheProcessList() async throws {
        try await ClawrunHome.with { home in
            let path = try home.write("key", key + "\n")
            chmod(path, 0o600)
            let serve = try home.start(["serve", "--port", "0", "--api-key-file", path])
            try await serve.wait { $0.contains("\n") }
            let cmdline = (try? String(contentsOfFile: "/proc/\(serve.pid)/cmdline", encoding: .utf8)) ?? ""
            #expect(cmdline.contains("--api-key-file") && !cmdline.contains(key))
            let text = serve.output
            let port = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression)
                .flatMap { Int(text[$0].split(separator: ":").last ?? "") } ?? 0
            #expect(port > 0, "serve printed: \(text)")
            func status(_ auth: String?) async throws -> Int {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/machines")!)
                if let auth { request.setValue("Bearer \(auth)", forHTTPHeaderField: "Authorization") }
                let (_, response) = try await URLSession.shared.data(for: request)
                return (response as? HTTPURLResponse)?.statusCode ?? 0
            }
            #expect(try await status(nil) == 401)
            #expect(try await status("wrong") == 401)
            #expect(try await status(key) == 200)
            serve.signal(SIGINT)
            let end = await serve.finish()
            #expect(end.status == 0)
            #expect(!end.stdout.contains(key) && !end.stderr.contains(key))
        }
    }

    @Test func badRateAndBackendOptionsAreOneLineUsageErrors() async throws {
        try await ClawrunHome.with { home in
            let script = try home.write("noop.lua", "return 1\n")
            let cases: [([String], String)] = [
                (["serve", "--rate-limit", "fast"], "--rate-limit 'fast' is not a rate"),
                (["serve", "--rate-burst", "5"], "--rate-burst needs --rate-limit"),
                (["serve", "--machines-backend", "disk"], "--machines-backend 'disk'"),
                (["serve", "--seed-machines", "5"], "need --machines-backend memory"),
                (["serve", "--header-timeout", "0"], "--header-timeout must be more than 0"),
                (["serve", "--max-connections", "0"], "--max-connections must be from 1"),
                ([script, "--rate", "lots"], "--rate 'lots' is not a rate"),
                ([script, "--rate-deadline", "0"], "--rate-deadline must be more than 0"),
            ]
            for (arguments, expected) in cases {
                let r = try await home.run(arguments)
                #expect(r.status == 2, "\(arguments): \(r.stderr)")
                #expect(r.stderr.contains(expected) && r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
            }
        }
    }
}
