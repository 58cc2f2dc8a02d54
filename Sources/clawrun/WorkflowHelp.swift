import ArgumentParser
import Foundation

/// `clawrun WORKFLOW --help` (or `clawrun run WORKFLOW --help`): the workflow's parameters, then
/// the run options, instead of the run options alone.
enum WorkflowHelp {
    /// The help text when the arguments ask for a workflow's help, else nil.
    static func text(for arguments: [String]) async throws -> String? {
        guard arguments.contains("--help") || arguments.contains("-h") else { return nil }
        var rest = arguments[...]
        if rest.first == "run" { rest = rest.dropFirst() }
        guard let workflow = rest.first, !workflow.hasPrefix("-"),
              !Clawrun.configuration.subcommands.contains(where: { $0.configuration.commandName == workflow })
        else { return nil }
        var plugins: [String] = []
        for (flag, value) in zip(rest, rest.dropFirst()) where flag == "--plugins" { plugins.append(value) }
        let env = ProcessInfo.processInfo.environment
        let description = try await DescribeCommand.text(workflow, plugins: plugins, env: env)
        return description + "\n\n" + Clawrun.helpMessage(for: RunCommand.self)
    }
}
