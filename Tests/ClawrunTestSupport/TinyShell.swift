import MemoryMachines

/// A tiny shell for a `MemoryProvider` in tests: `sleep N`, `echo X` and `exit N`, joined by `&&`
/// or `;`, so that executions really take their duration and print and fail as written.
public enum TinyShell {
    /// The answer to an argv (a `bash -c` line, or words joined by spaces).
    @Sendable public static func answer(_ argv: [String]) -> ExecTable.Entry {
        let line = argv.count >= 3 && argv[1].hasPrefix("-") && argv[1].contains("c") ? argv[2] : argv.joined(separator: " ")
        var seconds = 0.0
        var stdout = ""
        var exit = 0
        for statement in line.replacingOccurrences(of: "&&", with: ";").split(separator: ";") {
            let words = statement.split(separator: " ").map(String.init)
            // `/bin/echo` as an argv is `echo`: the shell's builtins and the binaries behave alike here.
            guard let verb = words.first?.split(separator: "/").last else { continue }
            switch verb {
            case "sleep": seconds += Double(words.dropFirst().first ?? "0") ?? 0
            case "echo": stdout += words.dropFirst().joined(separator: " ").replacingOccurrences(of: "'", with: "") + "\n"
            case "exit": exit = Int(words.dropFirst().first ?? "0") ?? 0
            default: break
            }
            if exit != 0 { break }
        }
        return ExecTable.Entry(command: line, exitCode: exit, stdout: stdout, durationMs: Int(seconds * 1000))
    }

    /// A memory-backed provider whose executions this shell answers; it forgets none.
    public static func provider(phaseSeconds: Double = 0.02) -> MemoryProvider {
        MemoryProvider(phaseSeconds: phaseSeconds, executionsKept: .max, answer: answer)
    }
}
