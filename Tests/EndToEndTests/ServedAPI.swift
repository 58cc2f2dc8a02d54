import Foundation

/// `clawrun serve` started as a user starts it, on a free port, stopped when the test ends.
final class ServedAPI {
    let process = Process()
    let port: Int
    let apiKey: String

    init(cli: ClawrunCLI, apiKey: String, extraArguments: [String] = []) throws {
        self.apiKey = apiKey
        process.executableURL = ClawrunCLI.binary
        process.arguments = ["serve", "--port", "0", "--api-key", apiKey] + extraArguments
        process.environment = cli.environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(text[range].split(separator: ":").last ?? "") else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "serve printed: \(text)"])
        }
        self.port = port
    }

    deinit {
        process.interrupt()
        process.waitUntilExit()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The environment that points a Dedalus client (clawrun or the SDK) at this server.
    var clientEnvironment: [String: String] {
        ["DEDALUS_BASE_URL": baseURL, "DEDALUS_API_KEY": apiKey]
    }

    /// Calls an admin endpoint with curl and returns the body.
    @discardableResult
    func admin(_ method: String, _ path: String, body: String? = nil) throws -> String {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-X", method, "-H", "Authorization: Bearer \(apiKey)", "-H",
                          "Content-Type: application/json"] + (body.map { ["--data", $0] } ?? []) + [baseURL + path]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
