import ClawrunCore
import Foundation

/// The built `clawrun` binary run as a user runs it, in a CLAWRUN_HOME of its own that is removed
/// afterwards together with every machine made in it.
struct ClawrunHome {
    /// `<package root>/.build/debug/clawrun`.
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/clawrun")

    let url: URL
    /// The environment of every command: by default this home, the local provider, no Dedalus keys.
    var environment: [String: String]

    /// A home at `url` with the default environment.
    init(url: URL) {
        self.url = url
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DEDALUS_") }
        env["CLAWRUN_HOME"] = url.path
        env["CLAWRUN_PROVIDER"] = "local"
        environment = env
    }

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
        await home.deleteEveryMachine()
        try? FileManager.default.removeItem(at: url)
        if let failure { throw failure }
    }

    /// Writes a file into the home and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Starts clawrun with `arguments`; stdout and stderr go to files read back by `finish`.
    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Running {
        try spawn(ClawrunHome.binary.path, arguments, environment: extra)
    }

    /// Starts any program in this home's environment (plus `extra`). posix_spawn and waitpid
    /// rather than Foundation's Process, whose reaping of children was seen to leave them zombies
    /// (and `waitUntilExit` hanging) in this test process.
    func spawn(_ program: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Running {
        let id = UUID().uuidString.prefix(8)
        let out = url.appendingPathComponent("out-\(id)"), err = url.appendingPathComponent("err-\(id)")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else of this test process may leak into the child: SwiftNIO accepts sockets
        // without CLOEXEC, so a long clawrun run would hold another test's server connection open
        // and the server's close would not reach its client (seen as ServerHardeningTests failures
        // in parallel runs). Foundation's Process closes them too; CProcess does the same.
        guard ClawrunHome.addCloseFrom(&actions, 3) == 0 else {
            throw ClawrunError.failed("cannot close inherited descriptors for \(program)")
        }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.merging(extra) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, program, &actions, nil, argv, envp)
        guard rc == 0 else {
            throw ClawrunError.failed("cannot start \(program) (build it first): \(String(cString: strerror(rc)))")
        }
        return Running(pid: pid, stdout: out, stderr: err)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does not
    /// export: looked up once at run time.
    static let addCloseFrom: @Sendable (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        typealias Function = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return { _, _ in ENOSYS }
        }
        let function = unsafeBitCast(symbol, to: Function.self)
        return { actions, from in function(actions, from) }
    }()

    /// Runs clawrun to its end.
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Outcome {
        try await start(arguments, environment: extra).finish()
    }

    /// A clawrun process still running.
    final class Running {
        let pid: pid_t
        let stdout: URL
        let stderr: URL
        private var status: Int32?

        init(pid: pid_t, stdout: URL, stderr: URL) {
            self.pid = pid
            self.stdout = stdout
            self.stderr = stderr
        }

        /// Its stdout so far.
        var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }

        /// Whether it still runs (reaping it if it ended).
        var isRunning: Bool {
            guard status == nil else { return false }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
            // Exit code, or 128 + signal as a shell reports a death by signal.
            status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            return false
        }

        /// Waits, polling its stdout, until `condition` holds of it (or the process ends).
        func wait(until condition: (String) -> Bool) async throws {
            while isRunning && !condition(output) { try await Task.sleep(nanoseconds: 50_000_000) }
        }

        /// Blocks until it ends (for synchronous tests) and returns its exit status.
        func waitBlocking() -> Int32 {
            while isRunning { usleep(20_000) }
            return status ?? -1
        }

        /// Sends a signal.
        func signal(_ sig: Int32) { kill(pid, sig) }

        /// Waits for the end and returns what it did.
        func finish() async -> Outcome {
            while isRunning { try? await Task.sleep(nanoseconds: 20_000_000) }
            return Outcome(status: status ?? -1, stdout: output,
                           stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
        }
    }

    /// Creates `count` running local machines and returns their ids.
    func createMachines(_ count: Int) async throws -> [String] {
        let script = try write("create.lua", """
            local items = {}
            for i = 1, tonumber(args.count) do items[i] = i end
            local results = parallel(items, function()
              local m = machine.create{memory_mib = 256}
              wait_phase(m, "running", {timeout = 120})
            end, {limit = 8})
            for _, r in ipairs(results) do if not r.ok then error(r.error) end end
            """)
        let outcome = try await run([script, "--set", "count=\(count)", "--json", "-q"])
        let ids = outcome.events.filter { $0.event == "machine_created" }.compactMap(\.machine)
        guard outcome.status == 0, ids.count == count else {
            throw ClawrunError.failed("creating \(count) machines failed (\(outcome.status)): \(outcome.stderr)")
        }
        return ids
    }

    /// Deletes every machine of the home and waits until each is destroyed.
    func deleteEveryMachine() async {
        guard let script = try? write("cleanup.lua", """
            parallel(machine.list(), function(m)
              machine.delete(m)
              wait_phase(m, "destroyed", {timeout = 60})
            end)
            """) else { return }
        _ = try? await run([script, "-q"])
    }
}
