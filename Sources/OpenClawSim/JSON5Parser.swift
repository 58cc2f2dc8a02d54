/// A parse failure, with the message the real tool would show for it.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    /// Node's `JSON.parse` wording in strict mode, the `json5` package's wording otherwise.
    public let message: String
    public var description: String { message }
}

/// Reads JSON and JSON5.
///
/// OpenClaw reads `openclaw.json` with the `json5` package (comments, trailing commas,
/// unquoted keys, single quotes, hex, `Infinity`) and parses request bodies and
/// `--params` with strict `JSON.parse`; one byte-level reader covers both, and its errors
/// use the wording of the library each mode stands in for, because users see them.
public struct JSON5Parser {
    private let bytes: [UInt8]
    private var pos = 0
    private let json5: Bool

    /// Parses `text` as strict JSON (`JSON.parse`).
    public static func parseStrict(_ text: String) throws -> JSONValue {
        try parse(bytes: Array(text.utf8), json5: false)
    }

    /// Parses `text` as JSON5 (`JSON5.parse`).
    public static func parseJSON5(_ text: String) throws -> JSONValue {
        try parse(bytes: Array(text.utf8), json5: true)
    }

    /// Parses raw UTF-8 bytes in either mode.
    public static func parse(bytes: [UInt8], json5: Bool) throws -> JSONValue {
        var parser = JSON5Parser(bytes: bytes, json5: json5)
        // A UTF-8 byte-order mark is skipped by both libraries' callers.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.pos = 3 }
        try parser.skipWhitespace()
        if parser.pos >= bytes.count {
            throw parser.endOfInput()
        }
        let value = try parser.parseValue(depth: 0)
        try parser.skipWhitespace()
        if parser.pos < bytes.count {
            if json5 { throw parser.invalidCharacter() }
            throw parser.error("Unexpected non-whitespace character after JSON", inJSON: false)
        }
        return value
    }

    private init(bytes: [UInt8], json5: Bool) {
        self.bytes = bytes
        self.json5 = json5
    }

    // MARK: - Errors

    private func lineAndColumn(_ at: Int) -> (Int, Int) {
        var line = 1
        var column = 1
        var i = 0
        while i < at && i < bytes.count {
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }

    /// V8 style: `<what> in JSON at position N (line L column C)`; `inJSON` false drops the
    /// "in JSON" for messages that already say "after JSON".
    private func error(_ what: String, at: Int? = nil, inJSON: Bool = true) -> JSONParseError {
        let p = at ?? pos
        let (line, column) = lineAndColumn(p)
        return JSONParseError(message: "\(what)\(inJSON ? " in JSON" : "") at position \(p) (line \(line) column \(column))")
    }

    private func endOfInput() -> JSONParseError {
        if json5 {
            let (line, column) = lineAndColumn(pos)
            return JSONParseError(message: "JSON5: invalid end of input at \(line):\(column)")
        }
        return JSONParseError(message: "Unexpected end of JSON input")
    }

    private func currentCharacter() -> String {
        var end = pos + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[pos..<min(end, bytes.count)], as: UTF8.self)
    }

    /// json5 style for JSON5 mode, V8's `Unexpected token` with context for strict mode.
    private func invalidCharacter() -> JSONParseError {
        guard pos < bytes.count else { return endOfInput() }
        if json5 {
            let (line, column) = lineAndColumn(pos)
            return JSONParseError(message: "JSON5: invalid character '\(currentCharacter())' at \(line):\(column)")
        }
        let context = 10
        let start = max(0, pos - context)
        let end = min(bytes.count, pos + context)
        let source = String(decoding: bytes, as: UTF8.self)
        let snippet: String
        if bytes.count <= context * 2 {
            snippet = "\"\(source)\""
        } else {
            let middle = String(decoding: bytes[start..<end], as: UTF8.self)
            snippet = (start > 0 ? "...\"" : "\"") + middle + (end < bytes.count ? "\"..." : "\"")
        }
        return JSONParseError(message: "Unexpected token '\(currentCharacter())', \(snippet) is not valid JSON")
    }

    // MARK: - Lexing helpers

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func skipWhitespace() throws {
        while pos < bytes.count {
            let b = bytes[pos]
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D:
                pos += 1
            case 0x0B where json5, 0x0C where json5:
                pos += 1
            case 0xC2 where json5 && pos + 1 < bytes.count && bytes[pos + 1] == 0xA0:
                pos += 2
            case 0xEF where json5 && pos + 2 < bytes.count && bytes[pos + 1] == 0xBB && bytes[pos + 2] == 0xBF:
                pos += 3
            case 0xE2 where json5 && pos + 2 < bytes.count && bytes[pos + 1] == 0x80
                && (bytes[pos + 2] == 0xA8 || bytes[pos + 2] == 0xA9):
                pos += 3
            case 0x2F where json5:
                guard pos + 1 < bytes.count else { pos += 1; throw endOfInput() }
                if bytes[pos + 1] == 0x2F {
                    pos += 2
                    while pos < bytes.count, bytes[pos] != 0x0A, bytes[pos] != 0x0D { pos += 1 }
                } else if bytes[pos + 1] == 0x2A {
                    pos += 2
                    var closed = false
                    while pos + 1 < bytes.count {
                        if bytes[pos] == 0x2A, bytes[pos + 1] == 0x2F { pos += 2; closed = true; break }
                        pos += 1
                    }
                    if !closed { pos = bytes.count; throw endOfInput() }
                } else {
                    pos += 1
                    throw invalidCharacter()
                }
            default:
                return
            }
        }
    }

    private mutating func consumeWord(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else { return false }
        pos += w.count
        return true
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw JSONParseError(message: "Maximum nesting depth exceeded") }
        guard let b = peek else { throw endOfInput() }
        switch b {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString(quote: b))
        case UInt8(ascii: "'") where json5: return .string(try parseString(quote: b))
        case UInt8(ascii: "t"):
            if consumeWord("true") { return .bool(true) }
        case UInt8(ascii: "f"):
            if consumeWord("false") { return .bool(false) }
        case UInt8(ascii: "n"):
            if consumeWord("null") { return .null }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "I"), UInt8(ascii: "N"):
            if json5 { return .number(try parseNumber()) }
        default:
            break
        }
        throw invalidCharacter()
    }

    private mutating func parseObject(depth: Int) throws -> JSONValue {
        pos += 1
        var members: [(String, JSONValue)] = []
        try skipWhitespace()
        if peek == UInt8(ascii: "}") { pos += 1; return .object(members) }
        while true {
            try skipWhitespace()
            guard let b = peek else {
                if json5 { throw endOfInput() }
                throw error("Expected property name or '}'")
            }
            let key: String
            if b == UInt8(ascii: "\"") || (json5 && b == UInt8(ascii: "'")) {
                key = try parseString(quote: b)
            } else if json5, b == UInt8(ascii: "}"), !members.isEmpty {
                pos += 1
                return .object(members)
            } else if json5, isIdentifierStart(b) {
                key = parseIdentifier()
            } else {
                if json5 { throw invalidCharacter() }
                throw error("Expected property name or '}'")
            }
            try skipWhitespace()
            guard peek == UInt8(ascii: ":") else {
                if json5 { throw invalidCharacter() }
                throw error("Expected ':' after property name")
            }
            pos += 1
            try skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            if let index = members.firstIndex(where: { $0.0 == key }) {
                // Later duplicates win, as in JavaScript, but keep the first position.
                members[index].1 = value
            } else {
                members.append((key, value))
            }
            try skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                pos += 1
                if !json5 {
                    try skipWhitespace()
                    if peek == UInt8(ascii: "}") { throw error("Expected double-quoted property name") }
                }
            case UInt8(ascii: "}"):
                pos += 1
                return .object(members)
            default:
                if json5 { throw invalidCharacter() }
                throw error("Expected ',' or '}' after property value")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONValue {
        pos += 1
        var elements: [JSONValue] = []
        try skipWhitespace()
        if peek == UInt8(ascii: "]") { pos += 1; return .array(elements) }
        while true {
            try skipWhitespace()
            if json5, peek == UInt8(ascii: "]"), !elements.isEmpty { pos += 1; return .array(elements) }
            elements.append(try parseValue(depth: depth + 1))
            try skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "]"): pos += 1; return .array(elements)
            case nil: throw endOfInput()
            default:
                if json5 { throw invalidCharacter() }
                throw error("Expected ',' or ']' after array element")
            }
        }
    }

    private func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x24 || b == 0x5F || b >= 0x80
    }

    private mutating func parseIdentifier() -> String {
        let start = pos
        while let b = peek, isIdentifierStart(b) || (b >= 0x30 && b <= 0x39) { pos += 1 }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    private mutating func parseHex(count: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let b = peek, let digit = hexDigit(b) else {
                if json5 { throw invalidCharacter() }
                throw error("Bad Unicode escape")
            }
            value = value * 16 + UInt32(digit)
            pos += 1
        }
        return value
    }

    private func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    private mutating func parseString(quote: UInt8) throws -> String {
        pos += 1
        // Fast path: no escapes.
        var scan = pos
        while scan < bytes.count {
            let b = bytes[scan]
            if b == quote {
                let s = String(decoding: bytes[pos..<scan], as: UTF8.self)
                pos = scan + 1
                return s
            }
            if b == 0x5C || b < 0x20 { break }
            scan += 1
        }
        var out: [UInt8] = Array(bytes[pos..<scan])
        pos = scan
        var pendingHighSurrogate: UInt32?
        func appendScalar(_ value: UInt32, into out: inout [UInt8]) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while true {
            guard let b = peek else {
                if json5 { throw endOfInput() }
                throw error("Unterminated string", at: bytes.count)
            }
            if b == quote {
                pos += 1
                if let high = pendingHighSurrogate { appendScalar(high, into: &out) }
                return String(decoding: out, as: UTF8.self)
            }
            if b == 0x5C {
                pos += 1
                guard let e = peek else {
                    if json5 { throw endOfInput() }
                    throw error("Unterminated string", at: bytes.count)
                }
                pos += 1
                var code: UInt32?
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): code = try parseHex(count: 4)
                case UInt8(ascii: "'") where json5: out.append(0x27)
                case UInt8(ascii: "v") where json5: out.append(0x0B)
                case UInt8(ascii: "0") where json5: out.append(0x00)
                case UInt8(ascii: "x") where json5: code = try parseHex(count: 2)
                case 0x0A where json5: break
                case 0x0D where json5:
                    if peek == 0x0A { pos += 1 }
                default:
                    if json5 {
                        if e >= 0x31 && e <= 0x39 { pos -= 1; throw invalidCharacter() }
                        out.append(e)
                    } else {
                        throw error("Bad escaped character", at: pos - 1)
                    }
                }
                if let code {
                    if code >= 0xD800 && code < 0xDC00 {
                        if let high = pendingHighSurrogate { appendScalar(high, into: &out) }
                        pendingHighSurrogate = code
                        continue
                    }
                    if code >= 0xDC00 && code < 0xE000, let high = pendingHighSurrogate {
                        appendScalar(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00), into: &out)
                        pendingHighSurrogate = nil
                        continue
                    }
                    appendScalar(code, into: &out)
                }
                if let high = pendingHighSurrogate, code == nil {
                    // A lone high surrogate followed by a non-\u escape.
                    appendScalar(high, into: &out)
                    pendingHighSurrogate = nil
                }
                continue
            }
            if b < 0x20 {
                if json5 {
                    if b == 0x0A || b == 0x0D { throw invalidCharacter() }
                } else {
                    throw error("Bad control character in string literal")
                }
            }
            if let high = pendingHighSurrogate { appendScalar(high, into: &out); pendingHighSurrogate = nil }
            out.append(b)
            pos += 1
        }
    }

    private mutating func parseNumber() throws -> Double {
        let start = pos
        var negative = false
        if peek == UInt8(ascii: "-") || (json5 && peek == UInt8(ascii: "+")) {
            negative = peek == UInt8(ascii: "-")
            pos += 1
        }
        if json5 {
            if consumeWord("Infinity") { return negative ? -.infinity : .infinity }
            if consumeWord("NaN") { return .nan }
            if peek == UInt8(ascii: "0"), pos + 1 < bytes.count, bytes[pos + 1] | 0x20 == UInt8(ascii: "x") {
                pos += 2
                var value = 0.0
                var digits = 0
                while let b = peek, let d = hexDigit(b) { value = value * 16 + Double(d); pos += 1; digits += 1 }
                if digits == 0 { throw invalidCharacter() }
                return negative ? -value : value
            }
        }
        let digitsStart = pos
        var intDigits = 0
        while let b = peek, b >= 0x30, b <= 0x39 { pos += 1; intDigits += 1 }
        if intDigits == 0 && !(json5 && peek == UInt8(ascii: ".")) {
            if json5 { throw invalidCharacter() }
            throw error("No number after minus sign")
        }
        if !json5, intDigits > 1, bytes[digitsStart] == UInt8(ascii: "0") {
            throw error("Unexpected number", at: digitsStart + 1)
        }
        if peek == UInt8(ascii: ".") {
            pos += 1
            var fracDigits = 0
            while let b = peek, b >= 0x30, b <= 0x39 { pos += 1; fracDigits += 1 }
            if fracDigits == 0 && (!json5 || intDigits == 0) {
                if json5 { throw invalidCharacter() }
                throw error("Unterminated fractional number")
            }
        }
        if let b = peek, b | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { pos += 1 }
            var expDigits = 0
            while let b = peek, b >= 0x30, b <= 0x39 { pos += 1; expDigits += 1 }
            if expDigits == 0 {
                if json5 { throw invalidCharacter() }
                throw error("Exponent part is missing a number")
            }
        }
        var literal = String(decoding: bytes[start..<pos], as: UTF8.self)
        if literal.hasPrefix("+") { literal.removeFirst() }
        if literal.hasPrefix(".") { literal = "0" + literal } else if literal.hasPrefix("-.") { literal = "-0" + literal.dropFirst() }
        if literal.hasSuffix(".") { literal += "0" }
        guard let value = Double(literal) else { throw invalidCharacter() }
        return value
    }
}
