import ArgumentParser
import ClawrunCore
import Foundation

/// Parses the command line and runs the command, mapping every usage error to one line on stderr
/// and exit code 2 (swift-argument-parser's own would be 64 and several lines).
func clawrunMain() async -> Int32 {
    do {
        if let help = try await WorkflowHelp.text(for: Array(CommandLine.arguments.dropFirst())) {
            print(help)
            return 0
        }
        var command = try Clawrun.parseAsRoot()
        if var async = command as? AsyncParsableCommand {
            try await async.run()
        } else {
            try command.run()
        }
        return 0
    } catch let exit as ExitCode {
        return exit.rawValue
    } catch ClawrunError.usage(let message) {
        FileHandle.standardError.write(Data("clawrun: \(TerminalText.escape(message))\n".utf8))
        return 2
    } catch let held as LockHeld {
        FileHandle.standardError.write(Data("clawrun: \(held.description)\n".utf8))
        return 75
    } catch {
        let code = Clawrun.exitCode(for: error)
        if code == .success {
            print(Clawrun.fullMessage(for: error))
            return 0
        }
        let message = Clawrun.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        let hint = code == .validationFailure ? " (see clawrun --help)" : ""
        let text = TerminalText.escape(message.replacingOccurrences(of: "Error: ", with: ""))
        FileHandle.standardError.write(Data("clawrun: \(text)\(hint)\n".utf8))
        return code == .validationFailure ? 2 : code.rawValue
    }
}

exit(await clawrunMain())
