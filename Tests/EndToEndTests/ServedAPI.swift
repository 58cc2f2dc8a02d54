import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `clawrun serve` started as a user starts it, on a free port of its choosing.
final class ServedAPI {
    let running: ClawrunHome.Running
    let port: Int
    let apiKey: String

    /// Starts `clawrun serve` requiring `apiKey`, with `arguments` after the port (a backend, a limit).
    init(home: ClawrunHome, apiKey: String, arguments: [String] = []) async throws {
        self.apiKey = apiKey
        running = try home.start(["serve", "--port", "0"] + arguments, environment: ["CLAWRUN_SERVE_API_KEY": apiKey])
        try await running.wait { $0.contains("\n") }
        let text = running.output
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(text[range].split(separator: ":").last ?? "") else {
            running.signal(SIGKILL)
            _ = await running.finish()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "serve printed: \(text)"])
        }
        self.port = port
    }

    /// Stops the server (SIGINT, as a user's Ctrl-C) and waits for it.
    func stop() async {
        running.signal(SIGINT)
        _ = await running.finish()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The environment that points a Dedalus client (clawrun or the SDK) at this server.
    var clientEnvironment: [String: String] {
        ["DEDALUS_BASE_URL": baseURL, "DEDALUS_API_KEY": apiKey]
    }

    /// Calls an admin endpoint and returns the body.
    @discardableResult
    func admin(_ method: String, _ path: String, body: String? = nil) async throws -> String {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }
}
