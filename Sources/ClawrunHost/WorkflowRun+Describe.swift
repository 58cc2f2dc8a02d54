import ClawrunCore
import Foundation
import LuaRuntime
import Reporting

/// `clawrun describe` and `check`: a workflow run only up to its `params` declaration, over a
/// provider that refuses every call, so that nothing is touched.
extension WorkflowRun {
    /// The error a describing run stops with once `params` has read the declaration.
    static let describeStop = "\u{1}clawrun: the parameters are declared"
    /// How long a workflow may run before it reaches `params` when it is only described.
    static let describeDeadline = 5.0

    /// Why a workflow could not be described: it failed before or in its `params` call (a bad
    /// `--set` value, an unknown key, an error in the script), in one line.
    public struct DescribeFailure: Error, CustomStringConvertible {
        public var description: String
        /// The exit code the same failure gives a real run (2 for bad `--set` values).
        public var exitCode: Int32
    }

    /// The parameters `script` declares with `params`, checked against `args` as a run would
    /// check them; nil when the workflow does not call `params` (then nothing of it runs).
    public static func parameters(of script: URL, args: [String: String] = [:], home: URL,
                                  userPluginDirectories: [URL] = [], pluginDirectories: [URL] = [],
                                  environment: [String: String] = [:]) async throws -> [WorkflowParameter]?
    {
        guard try globalAccesses(in: script).contains(where: { $0.name == "params" && !$0.isWrite }) else { return nil }
        var options = RunOptions(script: script, args: args, home: home, pluginDirectories: pluginDirectories,
                                 environment: environment)
        options.userPluginDirectories = userPluginDirectories
        options.checkOnly = true
        let run = try WorkflowRun(options: options, provider: OfflineProvider(),
                                  reporter: Reporter(redactor: SecretRedactor(), sinks: []), describing: true)
        // A workflow that loops or sleeps before its declaration must not hold `describe` up.
        let interrupter = run.interrupter
        let deadline = Task {
            try await Task.sleep(nanoseconds: UInt64(describeDeadline * 1e9))
            interrupter.interrupt(grace: 0, reason: "the workflow did not reach params within \(Int(describeDeadline)) s", exitCode: 2)
        }
        let outcome = await run.execute()
        deadline.cancel()
        guard let error = outcome.error else { return nil }
        guard error.contains(describeStop) else {
            let line = error.split(separator: "\n").first.map(String.init) ?? error
            throw DescribeFailure(description: line, exitCode: outcome.exitCode)
        }
        let declared = try run.state.run("return __params_declared").first?.tableValue ?? LuaTable()
        return declared.fields.compactMap { name, spec in spec.tableValue.map { WorkflowParameter(name: name, spec: $0) } }
            .sorted { $0.name < $1.name }
    }
}
