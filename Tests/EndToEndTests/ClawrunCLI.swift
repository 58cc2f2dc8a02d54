import Foundation

/// Runs the built `clawrun` as a user would, each test with its own CLAWRUN_HOME, and removes
/// whatever local machines a test left behind.
final class ClawrunCLI {
    /// What one run printed and how it ended.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let binary = packageRoot.appendingPathComponent(".build/debug/clawrun")

    let home: URL
    let work: URL
    var environment: [String: String]

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-e2e-\(UUID().uuidString)")
        home = base.appendingPathComponent("home")
        work = base.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        for key in ["DEDALUS_API_KEY", "DEDALUS_X_API_KEY", "DEDALUS_BASE_URL", "CLAWRUN_PROVIDER"] { env[key] = nil }
        env["CLAWRUN_HOME"] = home.path
        environment = env
    }

    deinit {
        _ = try? run(["machines", "list", "--provider", "local", "--json"]).stdout
            .components(separatedBy: "\"machine_id\" : \"").dropFirst()
            .compactMap { $0.split(separator: "\"").first.map(String.init) }
            .map { try? run(["machines", "delete", "--provider", "local", "--yes", $0]) }
        try? FileManager.default.removeItem(at: home.deletingLastPathComponent())
    }

    /// Writes a workflow into the test's folder.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let url = work.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Runs clawrun with arguments (relative paths are taken in the test's folder) and waits for it.
    func run(_ arguments: [String], extraEnvironment: [String: String] = [:], timeout: Double = 300) throws -> Result {
        let process = Process()
        process.executableURL = ClawrunCLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = work
        process.environment = environment.merging(extraEnvironment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let collected = CollectedOutput(out: out, err: err)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let (o, e) = collected.finish()
        return Result(status: process.terminationStatus, stdout: o, stderr: e)
    }
}

/// Reads both pipes while the process runs, so a chatty process never blocks on a full pipe.
final class CollectedOutput: @unchecked Sendable {
    private let group = DispatchGroup()
    private var out = Data(), err = Data()

    init(out: Pipe, err: Pipe) {
        group.enter()
        DispatchQueue.global().async { self.out = out.fileHandleForReading.readDataToEndOfFile(); self.group.leave() }
        group.enter()
        DispatchQueue.global().async { self.err = err.fileHandleForReading.readDataToEndOfFile(); self.group.leave() }
    }

    func finish() -> (String, String) {
        group.wait()
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
