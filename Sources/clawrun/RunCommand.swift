import ArgumentParser
import ClawrunCore
import ClawrunHost
import DedalusAPI
import Foundation

/// `clawrun FILE.lua|NAME`: runs a workflow.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow (a .lua file or a bundled workflow name such as deploy)."
    )

    @Argument(help: "The workflow: a .lua file or a bundled workflow name.")
    var workflow: String

    @Option(name: .customLong("set"), help: "A workflow parameter, key=value (repeatable); arrives in `args` as a string.")
    var settings: [String] = []

    @Option(help: "Where machines live: local or dedalus (default: CLAWRUN_PROVIDER, else dedalus when a Dedalus key is set, else local).")
    var provider: String?

    @Option(name: .customLong("machine"), help: "A target machine id (repeatable).")
    var machines: [String] = []

    @Flag(help: "Target every machine of the provider.")
    var all = false

    @Option(help: "How many coroutines `parallel` runs at once by default.")
    var parallel = 16

    @Flag(help: "Write one JSON object per event on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "Only warnings, errors and the result.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also show step starts.")
    var verbose = false

    func validate() throws {
        guard parallel >= 1 else { throw UsageError("--parallel must be at least 1, got \(parallel)") }
    }

    mutating func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let script = try ClawrunPaths.workflow(workflow, env: env)
        var args: [String: String] = [:]
        for s in settings {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw UsageError("--set '\(s)' is not key=value")
            }
            args[String(s[..<eq])] = String(s[s.index(after: eq)...])
        }
        let providerName = try ProviderChoice.name(flag: provider, env: env)
        let home = ClawrunPaths.home(env)
        let share = ClawrunPaths.share(env)
        let options = RunOptions(script: script, args: args, targetIds: machines, allTargets: all, parallel: parallel,
                                 home: home, pluginDirectories: [share.appendingPathComponent("plugins")],
                                 environment: env)
        var sinks: [any EventSink] = [HumanSink(verbosity: quiet ? -1 : verbose ? 1 : 0)]
        if json { sinks.append(JSONLinesSink(handle: .standardOutput)) }
        let reporter = Reporter(redactor: SecretRedactor(environment: env), sinks: sinks)
        let onRetry: @Sendable (RetryEvent) -> Void = { event in
            reporter.emit(RunEvent("retry", fields: [("message", .string(event.description))]))
        }
        let machineProvider: any MachineProvider
        do {
            machineProvider = try ProviderChoice.make(providerName, env: env, onRetry: onRetry)
        }
        let outcome: WorkflowRun.Outcome
        do {
            let run = try WorkflowRun(options: options, provider: machineProvider, reporter: reporter)
            outcome = await run.execute()
        } catch {
            await machineProvider.shutdown()
            throw error
        }
        await machineProvider.shutdown()
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
