/// Serializes `JSONValue`s exactly as JavaScript's `JSON.stringify` does, compact or with the
/// 2-space indentation of `JSON.stringify(value, null, 2)` that the OpenClaw CLI prints and
/// writes to `openclaw.json`.
public enum JSONWriter {
    /// Compact form: `{"a":1,"b":[true,null]}`.
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        out.reserveCapacity(128)
        write(value, into: &out, indent: nil, level: 0)
        return out
    }

    /// Pretty form with two-space indentation and `"key": value` members.
    public static func pretty(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: "  ", level: 0)
        return out
    }

    /// Appends `value` to `out`; `indent` nil means compact.
    static func write(_ value: JSONValue, into out: inout String, indent: String?, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += formatNumber(n)
        case .string(let s): appendQuoted(s, into: &out)
        case .array(let elements):
            if elements.isEmpty { out += "[]"; return }
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                newline(into: &out, indent: indent, level: level + 1)
                write(element, into: &out, indent: indent, level: level + 1)
            }
            newline(into: &out, indent: indent, level: level)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { out += "," }
                newline(into: &out, indent: indent, level: level + 1)
                appendQuoted(key, into: &out)
                out += indent == nil ? ":" : ": "
                write(member, into: &out, indent: indent, level: level + 1)
            }
            newline(into: &out, indent: indent, level: level)
            out += "}"
        }
    }

    private static func newline(into out: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    /// JavaScript number-to-string: integers without a fraction, non-finite as `null`
    /// (what `JSON.stringify(Infinity)` gives), exponents without leading zeros.
    public static func formatNumber(_ n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n == n.rounded(), abs(n) < 1e21 {
            if n == 0 { return "0" }
            return String(Int64(n))
        }
        var text = "\(n)"
        // Swift prints 1e-07 where JavaScript prints 1e-7.
        if let e = text.firstIndex(of: "e") {
            var exponent = String(text[text.index(after: e)...])
            var sign = "+"
            if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
            while exponent.count > 1, exponent.hasPrefix("0") { exponent.removeFirst() }
            text = String(text[..<e]) + "e" + sign + exponent
        }
        return text
    }

    /// Appends `s` as a JSON string literal, escaping like `JSON.stringify`.
    public static func appendQuoted(_ s: String, into out: inout String) {
        out += "\""
        var needsEscape = false
        for byte in s.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
