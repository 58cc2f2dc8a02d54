import ArgumentParser
import ClawrunCore
import ClawrunHost
import Foundation
import LuaRuntime

/// `clawrun check FILE...`: compiles workflows, reports the globals they read that nothing
/// defines, and with `--set` checks the keys and values against their `params`, all without
/// touching a machine.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compile workflows and report undefined globals (and bad --set keys) without running them; exit 2 on a problem."
    )

    @Argument(help: "Workflow files or bundled names.")
    var workflows: [String]

    @Option(name: .customLong("set"), help: "A parameter to check against the workflow's params, key=value (repeatable).")
    var settings: [String] = []

    @Option(name: .customLong("plugins"), help: ArgumentHelp("A folder searched by `require` (repeatable).", valueName: "DIR"))
    var pluginFolders: [String] = []

    mutating func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let args = try RunCommand.parseSettings(settings)
        let userPlugins = try ClawrunPaths.userPlugins(pluginFolders, env: env)
        let defined = try WorkflowRun.definedGlobals(home: ClawrunPaths.home(env))
        var bad = 0
        for w in workflows {
            let url = try ClawrunPaths.workflow(w, env: env)
            var problems: [String] = []
            do {
                problems += try WorkflowRun.undefinedGlobals(in: url, defined: defined).map { "\(url.path):\($0)" }
                // Only a workflow that declares params runs (up to the declaration): others are not run at all.
                if !args.isEmpty {
                    do {
                        let declared = try await WorkflowRun.parameters(
                            of: url, args: args, home: ClawrunPaths.home(env), userPluginDirectories: userPlugins,
                            pluginDirectories: ClawrunPaths.sharedPlugins(env: env))
                        if declared == nil { problems.append("\(url.path): declares no params, so --set keys cannot be checked") }
                    } catch let failure as WorkflowRun.DescribeFailure {
                        problems.append(failure.description)
                    }
                }
            } catch {
                problems.append("\(error)")
            }
            if problems.isEmpty {
                print("ok \(url.path)")
            } else {
                for p in problems { FileHandle.standardError.write(Data("\(TerminalText.escape(p))\n".utf8)) }
                bad += 1
            }
        }
        if bad > 0 { throw ExitCode(2) }
    }
}
