import ArgumentParser
import ClawrunCore
import ClawrunHost
import Foundation

/// `clawrun describe WORKFLOW` (and `clawrun WORKFLOW --help`): the workflow's parameters, read
/// from its `params` declaration without touching any machine.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Print a workflow's parameters (--set keys) with types, defaults and descriptions, without running it."
    )

    @Argument(help: "The workflow: a .lua file or a bundled workflow name.")
    var workflow: String

    @Option(name: .customLong("plugins"), help: ArgumentHelp("A folder searched by `require` (repeatable).", valueName: "DIR"))
    var pluginFolders: [String] = []

    mutating func run() async throws {
        print(try await DescribeCommand.text(workflow, plugins: pluginFolders, env: ProcessInfo.processInfo.environment))
    }

    /// The description: usage line, the workflow's header comment's first line, its parameters.
    static func text(_ workflow: String, plugins: [String], env: [String: String]) async throws -> String {
        let script = try ClawrunPaths.workflow(workflow, env: env)
        let parameters: [WorkflowParameter]?
        do {
            parameters = try await WorkflowRun.parameters(
                of: script, home: ClawrunPaths.home(env), userPluginDirectories: try ClawrunPaths.userPlugins(plugins, env: env),
                pluginDirectories: ClawrunPaths.sharedPlugins(env: env))
        } catch let failure as WorkflowRun.DescribeFailure {
            throw ClawrunError.usage("cannot describe \(script.path): \(failure.description)")
        }
        let name = workflow.hasSuffix(".lua") || workflow.contains("/") ? script.path : workflow
        var lines = ["Usage: clawrun \(name) [--set KEY=VALUE ...] [--check] [--diff] [targets and run options: clawrun run --help]"]
        if let summary = headerSummary(script) { lines += ["", summary] }
        lines.append("")
        if let parameters, !parameters.isEmpty {
            lines.append(WorkflowParameter.table(parameters))
        } else if parameters != nil {
            lines.append("It takes no parameters.")
        } else {
            lines.append("It declares no parameters with `params`: any --set key reaches it as a string in `args`.")
        }
        return lines.joined(separator: "\n")
    }

    /// The first line of the workflow's leading comment, without its `-- name:` prefix.
    static func headerSummary(_ script: URL) -> String? {
        guard let text = try? String(contentsOf: script, encoding: .utf8),
              let first = text.split(separator: "\n", maxSplits: 1).first, first.hasPrefix("--") else { return nil }
        return first.dropFirst(2).trimmingCharacters(in: .whitespaces)
    }
}
