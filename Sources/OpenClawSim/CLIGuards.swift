/// The checks commands run before their real work, with the real CLI's messages; a command
/// that gets nil back has had the reason printed and exits 1.
enum CLIGuards {
    /// Parses `args` like commander.js, or prints commander's error and returns nil.
    static func parseArguments(_ args: [String], options: [OptionSpec], command: String,
                               required: [String] = []) -> ParsedArguments? {
        do {
            return try CommanderArguments.parse(args, options: options, command: command, required: required)
        } catch {
            Console.err("\(error)")
            return nil
        }
    }

    /// The config to work on (`{}` when there is no file) and whether a file exists, or nil after
    /// printing the preAction config guard of [S] (`src/cli/program/config-guard.ts`) on stderr.
    static func loadConfig(_ store: ConfigStore) -> (config: JSONValue, exists: Bool)? {
        switch store.load() {
        case .missing:
            return (.object([]), false)
        case .valid(_, let config):
            return (config, true)
        case .invalid(_, let problems):
            Console.err("Config invalid")
            Console.err("File: \(store.paths.displayConfigPath)")
            Console.err("Problem:")
            for problem in problems { Console.err("  - \(problem)") }
            Console.err("")
            Console.err("Run: openclaw doctor --fix")
            return nil
        }
    }
}
