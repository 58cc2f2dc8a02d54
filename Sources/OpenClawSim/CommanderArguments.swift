/// One option of a command, as commander.js declares it: `--port <port>` or `--force`.
public struct OptionSpec: Sendable {
    public let long: String
    public let short: Character?
    /// The value placeholder (`port`); nil for a boolean flag.
    public let valueName: String?

    /// Declares an option: its long name, short letter, and value name when it takes one.
    public init(_ long: String, short: Character? = nil, value: String? = nil) {
        self.long = long
        self.short = short
        self.valueName = value
    }

    /// How commander names the option in its messages: `--port <port>`.
    var usage: String { valueName.map { "--\(long) <\($0)>" } ?? "--\(long)" }
}

/// The options and positional arguments of one command invocation.
public struct ParsedArguments: Sendable {
    public var values: [String: String] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []

    /// The value of `--name <value>`, if given.
    public func value(_ name: String) -> String? { values[name] }

    /// Whether the boolean flag `--name` was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }
}

/// A usage error with commander's exact wording (printed as `error: …`, exit 1).
public struct CommanderError: Error, CustomStringConvertible {
    public let description: String
}

/// Parses argv the way commander.js does for OpenClaw's commands: options may appear
/// anywhere, `--name=value` and `--name value` both work, a value-taking option consumes
/// the next word whatever it looks like, `--` ends option parsing.
public enum CommanderArguments {
    /// Parses `args` against `options`, expecting between `required` and `required + optional` positionals.
    public static func parse(
        _ args: [String], options: [OptionSpec], command: String,
        required: [String] = [], optional: Int = 0
    ) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < args.count {
            let arg = args[index]
            index += 1
            if onlyPositionals || !arg.hasPrefix("-") || arg == "-" {
                parsed.positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            var name: String
            var inlineValue: String?
            if arg.hasPrefix("--") {
                name = String(arg.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
            } else {
                let letters = Array(arg.dropFirst())
                guard let spec = options.first(where: { $0.short == letters.first }) else {
                    throw CommanderError(description: "error: unknown option '\(arg)'")
                }
                name = spec.long
                if letters.count > 1 { inlineValue = String(letters.dropFirst()) }
            }
            guard let spec = options.first(where: { $0.long == name }) else {
                throw CommanderError(description: "error: unknown option '\(arg)'")
            }
            if spec.valueName != nil {
                if let inlineValue {
                    parsed.values[name] = inlineValue
                } else {
                    guard index < args.count else {
                        throw CommanderError(description: "error: option '\(spec.usage)' argument missing")
                    }
                    parsed.values[name] = args[index]
                    index += 1
                }
            } else {
                parsed.flags.insert(name)
            }
        }
        if parsed.positionals.count < required.count {
            throw CommanderError(description: "error: missing required argument '\(required[parsed.positionals.count])'")
        }
        let maximum = required.count + optional
        if parsed.positionals.count > maximum {
            let noun = maximum == 1 ? "argument" : "arguments"
            throw CommanderError(description:
                "error: too many arguments for '\(command)'. Expected \(maximum) \(noun) but got \(parsed.positionals.count).")
        }
        return parsed
    }
}
