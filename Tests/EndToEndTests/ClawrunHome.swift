import ClawrunCore
import Foundation

/// The built `clawrun` binary run as a user runs it, in a CLAWRUN_HOME of its own that is removed
/// afterwards together with every machine made in it.
struct ClawrunHome {
    /// `<package root>/.build/debug/clawrun`.
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/clawrun")

    let url: URL

    /// What a finished command did.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The `--json` events on stdout.
        var events: [RunEvent] {
            stdout.split(separator: "\n").compactMap { line in
                (try? JSONValue.parse(String(line))).flatMap(RunEvent.init(json:))
            }
        }
    }

    /// Runs `body` in a fresh home, then deletes every machine of it and the home, pass or fail.
    static func with(_ body: (ClawrunHome) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("clawrun-e2e-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let home = ClawrunHome(url: url)
        var failure: Error?
        do { try await body(home) } catch { failure = error }
        home.deleteEveryMachine()
        try? FileManager.default.removeItem(at: url)
        if let failure { throw failure }
    }

    /// The environment of every command: this home, the local provider, no Dedalus keys.
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DEDALUS_") }
        env["CLAWRUN_HOME"] = url.path
        env["CLAWRUN_PROVIDER"] = "local"
        return env
    }

    /// Writes a file into the home and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Starts clawrun with `arguments`; stdout and stderr go to files read back by `finish`.
    func start(_ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = ClawrunHome.binary
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = url
        let id = UUID().uuidString.prefix(8)
        let out = url.appendingPathComponent("out-\(id)"), err = url.appendingPathComponent("err-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, stdout: out, stderr: err)
    }

    /// Runs clawrun to its end.
    @discardableResult
    func run(_ arguments: [String]) throws -> Outcome {
        try start(arguments).finish()
    }

    /// A clawrun process still running.
    struct Running {
        let process: Process
        let stdout: URL
        let stderr: URL

        /// Its stdout so far.
        var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }

        /// Waits, polling its stdout, until `condition` holds of it (or the process ends).
        func wait(until condition: (String) -> Bool) async throws {
            while process.isRunning && !condition(output) { try await Task.sleep(nanoseconds: 50_000_000) }
        }

        /// Sends a signal.
        func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

        /// Waits for the end and returns what it did.
        func finish() -> Outcome {
            process.waitUntilExit()
            return Outcome(status: process.terminationStatus, stdout: output,
                           stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
        }
    }

    /// Creates `count` running local machines and returns their ids.
    func createMachines(_ count: Int) throws -> [String] {
        let script = try write("create.lua", """
            local items = {}
            for i = 1, tonumber(args.count) do items[i] = i end
            local results = parallel(items, function()
              local m = machine.create{memory_mib = 256}
              wait_phase(m, "running", {timeout = 120})
            end, {limit = 8})
            for _, r in ipairs(results) do if not r.ok then error(r.error) end end
            """)
        let outcome = try run([script, "--set", "count=\(count)", "--json", "-q"])
        let ids = outcome.events.filter { $0.event == "machine_created" }.compactMap(\.machine)
        guard outcome.status == 0, ids.count == count else {
            throw ClawrunError.failed("creating \(count) machines failed (\(outcome.status)): \(outcome.stderr)")
        }
        return ids
    }

    /// Deletes every machine of the home and waits until each is destroyed.
    func deleteEveryMachine() {
        guard let script = try? write("cleanup.lua", """
            parallel(machine.list(), function(m)
              machine.delete(m)
              wait_phase(m, "destroyed", {timeout = 60})
            end)
            """) else { return }
        _ = try? run([script, "-q"])
    }
}
