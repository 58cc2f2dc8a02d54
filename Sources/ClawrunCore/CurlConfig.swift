/// Writes curl config files (`curl -K`), so that a request's URL, headers (the bearer token) and
/// body travel on curl's stdin instead of its command line, where `ps` would show them.
public struct CurlConfig: Sendable, Equatable {
    private var lines: [String] = []

    /// An empty config.
    public init() {}

    /// Adds `name = "value"`, quoted as curl's config parser reads it.
    public mutating func set(_ name: String, _ value: String) {
        lines.append("\(name) = \(CurlConfig.quote(value))")
    }

    /// Adds a flag that takes no value (`silent`, `show-error`).
    public mutating func flag(_ name: String) {
        lines.append(name)
    }

    /// The config text.
    public var text: String { lines.map { $0 + "\n" }.joined() }

    /// A double-quoted config value: curl unescapes `\\`, `\"`, `\t`, `\n`, `\r` and `\v` inside quotes.
    public static func quote(_ value: String) -> String {
        var out = "\""
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
