import ArgumentParser
import ClawrunCore
import ClawrunHost
import DedalusAPI
import MachinesAPIServer
import Foundation
import Reporting

/// `clawrun FILE.lua|NAME`: runs a workflow.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow (a .lua file or a bundled workflow name such as deploy)."
    )

    @Argument(help: "The workflow: a .lua file or a bundled workflow name.")
    var workflow: String

    @Option(name: .customLong("set"), help: "A workflow parameter, key=value (repeatable); see `clawrun describe WORKFLOW`.")
    var settings: [String] = []

    @Option(name: .customLong("plugins"), help: ArgumentHelp(
        "A folder searched by `require` before the workflow's own plugins/ (repeatable; then CLAWRUN_PATH).",
        valueName: "DIR"))
    var pluginFolders: [String] = []

    @Flag(help: "Dry run: steps only check; the recap shows per machine what would change. Nothing is changed.")
    var check = false

    @Flag(help: "Show the differences steps can state (e.g. config keys) as they check.")
    var diff = false

    @Option(help: "Where machines live: local or dedalus (default: CLAWRUN_PROVIDER, else dedalus when a Dedalus key is set, else local).")
    var provider: String?

    @OptionGroup(title: "Targets")
    var targets: TargetFlags

    @Option(parsing: .unconditional,
            help: "How many coroutines `parallel` runs at once by default (machines in flight), 1 to \(RunCommand.maxParallel).")
    var parallel = 16

    @Option(help: ArgumentHelp("Hold an exclusive lock on this file for the run; if another run holds it, exit 75 at once.",
                               valueName: "PATH"))
    var lock: String?

    @Option(parsing: .unconditional, help:
        "Seconds that work in flight gets after SIGINT, SIGTERM or --timeout (no new work starts; running Lua code is stopped when they end; exit 130, 143 or 124 after the recap).")
    var grace: Double = 10

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Stop the whole run after DURATION (seconds, or with s, m, h, d as timeout(1)) as on SIGTERM, and exit 124.",
        valueName: "DURATION"))
    var timeout: String?

    @Option(help: ArgumentHelp("Dedalus: at most this many API requests a second for the whole run (default: unlimited).",
                               valueName: "N/s"))
    var rate: String?

    @Option(name: .customLong("rate-deadline"), help: "Dedalus: seconds the API may answer only 429 before calls fail as saturated.")
    var rateDeadline: Double = 300

    @Flag(help: "Write one JSON object per event on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "Only warnings, errors and the result.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also show step starts.")
    var verbose = false

    mutating func run() async throws {
        // Checked here rather than in validate(): ArgumentParser would wrap the error and exit 1.
        guard (1...RunCommand.maxParallel).contains(parallel) else {
            throw ClawrunError.usage("--parallel must be a whole number from 1 to \(RunCommand.maxParallel), got \(parallel)")
        }
        guard grace >= 0, grace <= 86_400 else {
            throw ClawrunError.usage("--grace must be a number of seconds from 0 to 86400, got \(grace)")
        }
        let deadline = try timeout.flatMap(RunTimeout.init(parsing:))
        let requestRate = try rate.map { text -> Double in
            guard let r = RateLimit.parse(text) else { throw ClawrunError.usage("--rate '\(text)' is not a rate: use e.g. 500/s or 6000/m") }
            return r.rate
        }
        guard rateDeadline > 0, rateDeadline <= 86_400 else {
            throw ClawrunError.usage("--rate-deadline must be more than 0 and at most 86400 seconds, got \(rateDeadline)")
        }
        let env = ProcessInfo.processInfo.environment
        // The provider takes its credentials from `env`; without them in the process environment,
        // no child a workflow starts (os.execute, io.popen) inherits the platform key.
        for name in env.keys where name.uppercased().hasPrefix("DEDALUS_") { unsetenv(name) }
        let script = try ClawrunPaths.workflow(workflow, env: env)
        let args = try RunCommand.parseSettings(settings)
        let userPlugins = try ClawrunPaths.userPlugins(pluginFolders, env: env)
        try targets.checkRetry()
        let (shard, selectors, policy) = try targets.parsed()
        var ids = try targets.explicitIds()
        let providerName = try ProviderChoice.name(flag: provider, env: env)
        // Taken before anything else happens, and held (open) until the process exits.
        let runLock = try lock.map { path -> RunLock in
            guard let held = try RunLock.acquire(path: path) else { throw LockHeld(path: path) }
            return held
        }
        let home = ClawrunPaths.home(env)
        let store = RunRecordStore(home: home)
        let workflowName = RunRecordStore.workflowName(script)
        if targets.retryFailed {
            switch try RetryTargets.plan(store: store, workflow: workflowName, shard: shard) {
            case .nothing(let record):
                FileHandle.standardError.write(Data(
                    "clawrun: nothing to retry: no machine failed in the last run of \(workflowName) (\(record.path))\n".utf8))
                return
            case .retry(let failed, let record):
                FileHandle.standardError.write(Data(
                    "clawrun: retrying \(failed.count) machine\(failed.count == 1 ? "" : "s") from \(record.path)\n".utf8))
                ids = failed
            }
        }
        let recordSink = try RecordSink(store: store, workflow: workflowName)
        var options = RunOptions(script: script, args: args, targetIds: ids, allTargets: targets.all, parallel: parallel,
                                 home: home, pluginDirectories: ClawrunPaths.sharedPlugins(env: env),
                                 environment: env, selectors: selectors, shard: shard, failurePolicy: policy,
                                 recordPath: recordSink.url.path, json: json)
        options.userPluginDirectories = userPlugins
        options.checkOnly = check
        options.showDiff = diff
        let progress = !quiet && ProgressLine.stderrIsTerminal ? ProgressLine() : nil
        var sinks: [any EventSink] = [HumanSink(verbosity: quiet ? -1 : verbose ? 1 : 0, progress: progress), recordSink]
        if json { sinks.append(JSONLinesSink(handle: .standardOutput)) }
        let reporter = Reporter(redactor: SecretRedactor(), sinks: sinks)
        let onRetry: @Sendable (RetryEvent) -> Void = { event in
            reporter.emit(RunEvent("retry", fields: [("message", .string(event.description))]))
        }
        let machineProvider = try ProviderChoice.make(providerName, env: env, inFlight: parallel, rate: requestRate,
                                                      rateDeadline: rateDeadline, onRetry: onRetry)
        let outcome: WorkflowRun.Outcome
        do {
            let run = try WorkflowRun(options: options, provider: machineProvider, reporter: reporter)
            let trap = SignalTrap(run: run, grace: grace)
            let timer = deadline.map { $0.arm(run, grace: grace, text: timeout ?? "") }
            if let progress {
                let fleet = run.fleet
                progress.start { ProgressLine.text(fleet.snapshot) }
            }
            outcome = await run.execute()
            progress?.finish()
            trap.cancel()
            timer?.cancel()
        } catch {
            progress?.finish()
            await machineProvider.shutdown()
            throw error
        }
        await machineProvider.shutdown()
        withExtendedLifetime(runLock) {}
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

extension RunCommand {
    /// `--set key=value` flags as a table; one without `=` or with no key is a usage error.
    static func parseSettings(_ settings: [String]) throws -> [String: String] {
        var args: [String: String] = [:]
        for s in settings {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ClawrunError.usage("--set '\(s)' is not key=value")
            }
            args[String(s[..<eq])] = String(s[s.index(after: eq)...])
        }
        return args
    }

    /// The most coroutines `--parallel` may run at once: more machines in flight than any
    /// provider's rate limit lets through.
    static let maxParallel = 10_000
}

/// `--lock PATH` is held by another run: one line, exit 75 (EX_TEMPFAIL: try again later).
struct LockHeld: Error, CustomStringConvertible {
    let path: String
    var description: String { "another run holds the lock \(path)" }
}
