/// Messages shared by commands that refuse to work on a broken config.
enum CLIGuards {
    /// The preAction config guard of [S] (`src/cli/program/config-guard.ts`), on stderr.
    static func printInvalidConfig(path: String, problems: [String]) {
        Console.err("Config invalid")
        Console.err("File: \(path)")
        Console.err("Problem:")
        for problem in problems { Console.err("  - \(problem)") }
        Console.err("")
        Console.err("Run: openclaw doctor --fix")
    }
}
