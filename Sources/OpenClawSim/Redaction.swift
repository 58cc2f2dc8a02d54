/// Hides secrets in config output the way `src/config/redact-snapshot.ts` does, so that
/// `config get` and the `config.get` RPC never print a token.
public enum Redaction {
    /// The placeholder the real CLI prints instead of a secret.
    public static let sentinel = "__OPENCLAW_REDACTED__"

    /// Whether a key names a secret: `/token$/i`, `/password/i`, `/secret/i`, `/api.?key/i`.
    public static func isSensitiveKey(_ key: String) -> Bool {
        let k = key.lowercased()
        if k.hasSuffix("token") || k.contains("password") || k.contains("secret") { return true }
        let chars = Array(k.utf8)
        let api = Array("api".utf8), key = Array("key".utf8)
        func matches(_ word: [UInt8], at i: Int) -> Bool {
            i + word.count <= chars.count && Array(chars[i..<i + word.count]) == word
        }
        for i in chars.indices where matches(api, at: i) {
            if matches(key, at: i + 3) || matches(key, at: i + 4) { return true }
        }
        return false
    }

    /// `value` with every scalar under a sensitive key replaced by the sentinel.
    /// `${VAR}` placeholders stay visible: they are references, not secrets.
    public static func redact(_ value: JSONValue, sensitive: Bool = false) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.map { ($0.0, redact($0.1, sensitive: sensitive || isSensitiveKey($0.0))) })
        case .array(let elements):
            return .array(elements.map { redact($0, sensitive: sensitive) })
        case .string(let s):
            if !sensitive || isEnvPlaceholder(s) { return value }
            return .string(sentinel)
        case .number, .bool:
            return sensitive ? .string(sentinel) : value
        case .null:
            return value
        }
    }

    /// The value at `path` as `config get` shows it: redacted when the leaf or any parent key is sensitive.
    public static func redactedValue(at path: ConfigPath, in config: JSONValue) -> JSONValue? {
        guard path.get(in: config) != nil else { return nil }
        return path.get(in: redact(config))
    }

    private static func isEnvPlaceholder(_ s: String) -> Bool {
        s.hasPrefix("${") && s.hasSuffix("}") && s.count > 3
    }
}
