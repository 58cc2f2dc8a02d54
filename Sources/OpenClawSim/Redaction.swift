import OpenClawRules

/// Hides secrets in config output the way `src/config/redact-snapshot.ts` does, so that
/// `config get` and the `config.get` RPC never print a token.
public enum Redaction {
    /// The placeholder the real CLI prints instead of a secret.
    public static let sentinel = "__OPENCLAW_REDACTED__"

    /// `value` with every string at a secret path (OpenClawRules' `SensitiveConfigPath`, the
    /// rule of src/config/schema.hints.ts) replaced by the sentinel, as redact-snapshot.ts's
    /// pattern fallback does. `${VAR}` placeholders stay visible: they are references, not secrets.
    public static func redact(_ value: JSONValue, path: String = "") -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.map { ($0.0, redact($0.1, path: path.isEmpty ? $0.0 : path + "." + $0.0)) })
        case .array(let elements):
            return .array(elements.map { redact($0, path: path + "[]") })
        case .string(let s):
            if !SensitiveConfigPath.matches(path) || isEnvPlaceholder(s) { return value }
            return .string(sentinel)
        case .number, .bool, .null:
            return value
        }
    }

    /// The value at `path` as `config get` shows it: redacted when the leaf or any parent key is sensitive.
    public static func redactedValue(at path: ConfigPath, in config: JSONValue) -> JSONValue? {
        guard path.get(in: config) != nil else { return nil }
        return path.get(in: redact(config))
    }

    /// `/^\$\{[^}]*\}$/` on the trimmed value (ENV_VAR_PLACEHOLDER_PATTERN).
    private static func isEnvPlaceholder(_ s: String) -> Bool {
        let t = s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        let text = String(t)
        return text.hasPrefix("${") && text.hasSuffix("}") && !text.dropFirst(2).dropLast().contains("}")
    }
}
