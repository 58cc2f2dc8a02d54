/// `openclaw config get|set|unset|file` (`src/cli/config-cli.ts`).
public struct ConfigCommand {
    let store: ConfigStore

    /// Makes the command over a config store.
    public init(store: ConfigStore) {
        self.store = store
    }

    /// Runs the subcommand named in `args[0]` with the rest of `args`.
    public func run(_ args: [String]) -> ExitCode {
        guard let sub = args.first, !sub.hasPrefix("-") else {
            if args.contains("--help") || args.contains("-h") || args.isEmpty {
                Console.out(CLIHelp.config)
                return 0
            }
            Console.err("error: unknown option '\(args[0])'")
            return 1
        }
        let rest = Array(args.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            Console.out(CLIHelp.config)
            return 0
        }
        do {
            switch sub {
            case "get": return try get(rest)
            case "set": return try set(rest)
            case "unset": return try unset(rest)
            case "file": return try file(rest)
            default:
                Console.err("error: unknown command '\(sub)'")
                return 1
            }
        } catch let error as CommanderError {
            Console.err(error.description)
            return 1
        } catch let error as ConfigPath.Invalid {
            Console.err("Error: \(error.description)")
            return 1
        } catch {
            Console.err("Error: \(error)")
            return 1
        }
    }

    /// The config to edit or read, or nil after printing why it is unusable.
    private func loadValid() -> JSONValue? {
        let snapshot = store.load()
        if case .invalid(_, let problems) = snapshot {
            Console.err("Config invalid at \(store.paths.displayConfigPath):")
            for problem in problems { Console.err("- \(problem)") }
            Console.err("Run `openclaw doctor --fix` to repair, then retry.")
            return nil
        }
        return snapshot.config
    }

    private func get(_ args: [String]) throws -> ExitCode {
        let parsed = try CommanderArguments.parse(
            args, options: [OptionSpec("json")], command: "get", required: ["path"])
        let path = try ConfigPath(parsed.positionals[0])
        guard let config = loadValid() else { return 1 }
        guard let value = Redaction.redactedValue(at: path, in: config) else {
            Console.err("Config path not found: \(path)")
            return 1
        }
        if parsed.flag("json") {
            Console.out(JSONWriter.pretty(value))
            return 0
        }
        switch value {
        case .string(let s): Console.out(s)
        case .object, .array: Console.out(JSONWriter.pretty(value))
        default: Console.out(JSONWriter.compact(value))
        }
        return 0
    }

    private func set(_ args: [String]) throws -> ExitCode {
        let parsed = try CommanderArguments.parse(
            args, options: [OptionSpec("strict-json"), OptionSpec("json")], command: "set",
            required: ["path", "value"])
        let path = try ConfigPath(parsed.positionals[0])
        let value = try Self.parseValue(parsed.positionals[1], strict: parsed.flag("strict-json") || parsed.flag("json"))
        guard let config = loadValid() else { return 1 }
        try store.write(path.set(value, in: config))
        Console.out("Updated \(path). Restart the gateway to apply.")
        return 0
    }

    private func unset(_ args: [String]) throws -> ExitCode {
        let parsed = try CommanderArguments.parse(args, options: [], command: "unset", required: ["path"])
        let path = try ConfigPath(parsed.positionals[0])
        guard let config = loadValid() else { return 1 }
        guard let next = path.unset(in: config) else {
            Console.err("Config path not found: \(path)")
            return 1
        }
        try store.write(next)
        Console.out("Removed \(path). Restart the gateway to apply.")
        return 0
    }

    private func file(_ args: [String]) throws -> ExitCode {
        _ = try CommanderArguments.parse(args, options: [], command: "file")
        Console.out(store.paths.configPath)
        return 0
    }

    /// `parseValue` of the real CLI (`src/cli/config-cli.ts`): JSON5 first, the raw string when
    /// that fails; with `--strict-json` it is `JSON.parse` (no comments, single quotes or
    /// trailing commas) and a failure is an error. So `19001` is a number and `abc-def` a string.
    public static func parseValue(_ raw: String, strict: Bool) throws -> JSONValue {
        let trimmed = raw.trimmingSpaces()
        if strict {
            do {
                return try JSON5Parser.parse(bytes: Array(trimmed.utf8), json5: false)
            } catch {
                throw ConfigWriteError(message: "Failed to parse JSON value: SyntaxError: \(error)")
            }
        }
        do {
            return try JSON5Parser.parseJSON5(trimmed)
        } catch {
            return .string(raw)
        }
    }
}
