#if canImport(Glibc)
import Glibc
#endif

/// The state of `openclaw.json` as read from disk.
public enum ConfigSnapshot: Sendable {
    /// No file: the CLI treats this as `{}`.
    case missing
    /// A file that does not parse or does not validate; `problems` are user-facing lines.
    case invalid(raw: [UInt8], problems: [String])
    /// A usable config.
    case valid(raw: [UInt8], config: JSONValue)

    /// The config to work with: `{}` when missing, nil when invalid.
    public var config: JSONValue? {
        switch self {
        case .missing: return .object([])
        case .invalid: return nil
        case .valid(_, let config): return config
        }
    }

    /// Whether a file exists at all.
    public var exists: Bool {
        if case .missing = self { return false }
        return true
    }
}

/// Reads and writes `openclaw.json` the way `src/config/io.ts` does: JSON5 in, standard JSON
/// out through a temp file and `rename` (mode 0600, new directories 0700), and a `.bak` of
/// the previous file so a bad write can be undone by hand.
public struct ConfigStore: Sendable {
    public let paths: StatePaths

    /// Makes the store of the config file these paths name.
    public init(paths: StatePaths) {
        self.paths = paths
    }

    /// Reads, parses and validates the config file.
    public func load() -> ConfigSnapshot {
        guard let raw = FileSystem.read(paths.configPath) else {
            return FileSystem.exists(paths.configPath)
                ? .invalid(raw: [], problems: ["<root>: cannot read \(paths.configPath)"])
                : .missing
        }
        return Self.interpret(raw)
    }

    /// Parses and validates raw file bytes (shared with the gateway's config watcher).
    public static func interpret(_ raw: [UInt8]) -> ConfigSnapshot {
        let value: JSONValue
        do {
            value = try JSON5Parser.parse(bytes: raw, json5: true)
        } catch {
            return .invalid(raw: raw, problems: ["<root>: JSON5 parse failed: SyntaxError: \(error)"])
        }
        let problems = ConfigValidator.problems(in: value)
        if !problems.isEmpty { return .invalid(raw: raw, problems: problems) }
        return .valid(raw: raw, config: value)
    }

    /// `config` with `gateway.auth.mode` set to `"token"` and then, when given, `gateway.auth.token`;
    /// every token bootstrap goes through here so a new `auth` object always reads `{mode, token}`.
    static func enablingTokenAuth(_ config: JSONValue, token: String?) -> JSONValue {
        let gateway = config["gateway"] ?? .object([])
        var auth = (gateway["auth"] ?? .object([])).setting("mode", to: .string("token"))
        if let token { auth = auth.setting("token", to: .string(token)) }
        return config.setting("gateway", to: gateway.setting("auth", to: auth))
    }

    /// The result of a write: where the previous version was saved, if there was one.
    public struct WriteResult {
        public let backupPath: String?
    }

    /// Validates and writes `config`, keeping the old file as `<path>.bak`.
    /// A symlinked config has its target replaced, not the link.
    @discardableResult
    public func write(_ config: JSONValue) throws -> WriteResult {
        let problems = ConfigValidator.problems(in: config)
        if !problems.isEmpty {
            throw ConfigWriteError(message: "Config validation failed: " + problems.joined(separator: "; "))
        }
        let target = FileSystem.resolvingSymlink(paths.configPath)
        let dir = FileSystem.directory(of: target)
        guard FileSystem.makeDirectories(dir, mode: 0o700) else {
            throw SystemError(operation: "mkdir", path: dir, code: errno)
        }
        var backup: String?
        if let previous = FileSystem.read(target) {
            let bak = target + ".bak"
            try FileSystem.writeAtomically(bak, bytes: previous, mode: 0o600)
            backup = bak
        }
        try FileSystem.writeAtomically(target, bytes: Array((JSONWriter.pretty(config) + "\n").utf8), mode: 0o600)
        return WriteResult(backupPath: backup)
    }
}

/// A config write refused before touching the file.
public struct ConfigWriteError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
