/// OpenClaw's rule for which config paths hold secrets, as `isSensitiveConfigPath` in
/// src/config/schema.hints.ts states it (used by src/config/redact-snapshot.ts when a path has no
/// schema hint): the whole dotted path matches `/token$/i`, `/password/i`, `/secret/i`,
/// `/api.?key/i`, `/encrypt.?key/i`, `/private.?key/i` or `/serviceaccount(?:ref)?$/i`, and does
/// not end with a known non-secret name (`maxTokens`, `tokenCount`, `passwordFile`, ...). The
/// simulator redacts by it and clawrun keeps the values it matches out of its output.
public enum SensitiveConfigPath {
    /// Lower-case path endings that look secret but are not (SENSITIVE_KEY_WHITELIST_SUFFIXES).
    static let allowedSuffixes = ["maxtokens", "maxoutputtokens", "maxinputtokens", "maxcompletiontokens",
                                  "contexttokens", "totaltokens", "tokencount", "tokenlimit", "tokenbudget",
                                  "passwordfile"]

    /// Whether the dotted config path (`gateway.auth.token`, `env.vars.OPENAI_API_KEY`) is secret;
    /// a trailing `[]` (an array's items) is ignored, as redact-snapshot.ts's isSensitivePath does.
    public static func matches(_ path: String) -> Bool {
        var lower = path.lowercased()
        if lower.hasSuffix("[]") { lower.removeLast(2) }
        if allowedSuffixes.contains(where: { lower.hasSuffix($0) }) { return false }
        if lower.hasSuffix("token") || lower.contains("password") || lower.contains("secret") { return true }
        if lower.hasSuffix("serviceaccount") || lower.hasSuffix("serviceaccountref") { return true }
        let chars = Array(lower.utf8)
        for prefix in ["api", "encrypt", "private"] where containsWithGap(chars, Array(prefix.utf8), Array("key".utf8)) {
            return true
        }
        return false
    }

    /// Whether `chars` holds `first`, then at most one character, then `second` (`/first.?second/`).
    static func containsWithGap(_ chars: [UInt8], _ first: [UInt8], _ second: [UInt8]) -> Bool {
        func at(_ word: [UInt8], _ i: Int) -> Bool {
            i >= 0 && i + word.count <= chars.count && chars[i..<i + word.count].elementsEqual(word)
        }
        for i in chars.indices where at(first, i) {
            if at(second, i + first.count) || at(second, i + first.count + 1) { return true }
        }
        return false
    }
}
