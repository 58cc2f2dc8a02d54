import Foundation

/// Replaces known secrets (API keys, gateway tokens) with `***` in any text that leaves clawrun:
/// log lines, error messages, `--json` events and run records.
public final class SecretRedactor: Sendable {
    /// Longest first, so that a secret that contains another is masked whole.
    private let secrets = Locked<[String]>([])

    /// Makes a redactor that knows no secret yet.
    public init() {}

    /// Remembers the values of the variables whose names say they hold secrets (keys, tokens).
    public func add(environment: [String: String]) {
        for (name, value) in environment where SecretRedactor.looksSecret(name) { add(value) }
    }

    /// Whether an environment variable's name says it holds a secret.
    public static func looksSecret(_ name: String) -> Bool {
        let n = name.uppercased()
        return n.hasSuffix("_KEY") || n.hasSuffix("_TOKEN") || n.contains("SECRET") || n.contains("PASSWORD")
            || n.hasSuffix("_API_KEY")
    }

    /// Remembers a secret; short values are ignored so that ordinary words are never masked.
    public func add(_ secret: String) {
        guard secret.count >= 6 else { return }
        secrets.withLock { secrets in
            if !secrets.contains(secret) {
                secrets.append(secret)
                secrets.sort { $0.count > $1.count }
            }
        }
    }

    /// The text with every known secret replaced by `***`.
    public func redact(_ text: String) -> String {
        SecretRedactor.redact(text, secrets: secrets.withLock { $0 })
    }

    /// The text with every non-empty secret of `secrets` replaced by `***`, in the order given. No
    /// minimum length applies here: callers that pass their own list (credentials) mean every entry.
    public static func redact(_ text: String, secrets: [String]) -> String {
        var out = text
        for s in secrets where !s.isEmpty { out = out.replacingOccurrences(of: s, with: "***") }
        return out
    }

    /// A JSON value with every string redacted.
    public func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(redact(s))
        case .array(let items): return .array(items.map(redact))
        case .object(let members): return .object(members.map { ($0.0, redact($0.1)) })
        default: return value
        }
    }
}
