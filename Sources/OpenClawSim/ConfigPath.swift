/// A config path as the CLI takes it: `gateway.auth.token`, `agents.list[0].id`,
/// `env.vars["MY.KEY"]`, split into segments the way `openclaw config` splits them.
public struct ConfigPath: CustomStringConvertible, Sendable {
    /// The path as the user typed it, used verbatim in messages.
    public let raw: String
    /// Object keys, or array indices written as decimal strings.
    public let segments: [String]

    /// Why a path string was refused.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public var description: String { raw }

    /// Splits `raw` on dots and brackets; a backslash escapes the next character.
    public init(_ raw: String) throws {
        self.raw = raw
        var parts: [String] = []
        var current = ""
        var chars = Array(raw.trimmingSpaces())[...]
        while let ch = chars.first {
            chars = chars.dropFirst()
            switch ch {
            case "\\":
                if let next = chars.first { current.append(next); chars = chars.dropFirst() }
            case ".":
                if !current.isEmpty { parts.append(current) }
                current = ""
            case "[":
                if !current.isEmpty { parts.append(current) }
                current = ""
                guard let close = chars.firstIndex(of: "]") else {
                    throw Invalid(description: "Invalid path (missing \"]\"): \(raw)")
                }
                var inside = String(chars[chars.startIndex..<close]).trimmingSpaces()
                if inside.count >= 2, let q = inside.first, q == "\"" || q == "'", inside.last == q {
                    inside = String(inside.dropFirst().dropLast())
                }
                guard !inside.isEmpty else { throw Invalid(description: "Invalid path (empty \"[]\"): \(raw)") }
                parts.append(inside)
                chars = chars[chars.index(after: close)...]
            default:
                current.append(ch)
            }
        }
        if !current.isEmpty { parts.append(current) }
        segments = parts.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !segments.isEmpty else { throw Invalid(description: "Path is empty.") }
        for segment in segments where ["__proto__", "prototype", "constructor"].contains(segment) {
            throw Invalid(description: "Invalid path segment: \(segment)")
        }
    }

    /// The value at this path in `root`, nil if any step is missing.
    public func get(in root: JSONValue) -> JSONValue? {
        var current = root
        for segment in segments {
            switch current {
            case .object:
                guard let next = current[segment] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Int(segment), index >= 0, index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// `root` with the value at this path set, creating intermediate objects as needed.
    public func set(_ value: JSONValue, in root: JSONValue) -> JSONValue {
        Self.set(value, in: root, segments: segments[...])
    }

    private static func set(_ value: JSONValue, in node: JSONValue, segments: ArraySlice<String>) -> JSONValue {
        guard let head = segments.first else { return value }
        let rest = segments.dropFirst()
        if case .array(var elements) = node, let index = Int(head), index >= 0, index <= elements.count {
            if index == elements.count {
                elements.append(set(value, in: .object([]), segments: rest))
            } else {
                elements[index] = set(value, in: elements[index], segments: rest)
            }
            return .array(elements)
        }
        let base: JSONValue = node.isObject ? node : .object([])
        let child = base[head] ?? .object([])
        return base.setting(head, to: set(value, in: child, segments: rest))
    }

    /// `root` without the value at this path, or nil when the path does not exist.
    public func unset(in root: JSONValue) -> JSONValue? {
        Self.unset(in: root, segments: segments[...])
    }

    private static func unset(in node: JSONValue, segments: ArraySlice<String>) -> JSONValue? {
        guard let head = segments.first else { return nil }
        let rest = segments.dropFirst()
        switch node {
        case .object:
            guard let child = node[head] else { return nil }
            if rest.isEmpty { return node.removing(head) }
            guard let updated = unset(in: child, segments: rest) else { return nil }
            return node.setting(head, to: updated)
        case .array(var elements):
            guard let index = Int(head), index >= 0, index < elements.count else { return nil }
            if rest.isEmpty {
                elements.remove(at: index)
            } else {
                guard let updated = unset(in: elements[index], segments: rest) else { return nil }
                elements[index] = updated
            }
            return .array(elements)
        default:
            return nil
        }
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace (no Foundation needed).
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
