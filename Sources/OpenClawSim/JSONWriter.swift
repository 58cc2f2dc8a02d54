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

    /// JavaScript's Number-to-string (ECMA-262 `Number::toString`): the shortest digits that
    /// round-trip, written out in full for magnitudes in [1e-6, 1e21) (`100000000000000000000`,
    /// `0.00001`) and in exponent form otherwise (`1e+21`, `1e-7`); non-finite is `null`, as
    /// `JSON.stringify(Infinity)` gives.
    public static func formatNumber(_ n: Double) -> String {
        guard n.isFinite else { return "null" }
        // Also -0, which JavaScript prints as 0.
        if n == 0 { return "0" }
        let (digits, point) = shortestDigits(abs(n))
        let sign = n < 0 ? "-" : ""
        let count = digits.count
        if count <= point, point <= 21 {
            return sign + digits + String(repeating: "0", count: point - count)
        }
        if point > 0, point <= 21 {
            return sign + String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        if point > -6, point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + digits
        }
        let exponent = point - 1
        let mantissa = count == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String(abs(exponent))
    }

    /// The shortest round-trip decimal digits of a positive finite `x`, without leading or
    /// trailing zeros, and where the decimal point goes: `x = 0.<digits> × 10^point`.
    private static func shortestDigits(_ x: Double) -> (digits: String, point: Int) {
        // Swift's description already has the shortest round-trip digits, only laid out by
        // other rules ("1e-05", "100.0", "1.5e+20").
        let parts = x.description.split(separator: "e")
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let integer = mantissa.prefix { $0 != "." }
        let fraction = mantissa.dropFirst(integer.count + 1)
        var digits = integer + fraction
        var point = integer.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (String(digits), point)
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
