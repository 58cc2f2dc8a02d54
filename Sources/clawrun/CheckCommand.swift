import ArgumentParser
import ClawrunCore
import ClawrunHost
import Foundation
import LuaRuntime

/// `clawrun check FILE...`: compiles workflows without running anything.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compile workflows without running them; exit 2 if one does not compile."
    )

    @Argument(help: "Workflow files or bundled names.")
    var workflows: [String]

    mutating func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var bad = 0
        for w in workflows {
            let url = try ClawrunPaths.workflow(w, env: env)
            do {
                try WorkflowRun.check(url)
                print("ok \(url.path)")
            } catch {
                FileHandle.standardError.write(Data("\(TerminalText.escape("\(error)"))\n".utf8))
                bad += 1
            }
        }
        if bad > 0 { throw ExitCode(2) }
    }
}
