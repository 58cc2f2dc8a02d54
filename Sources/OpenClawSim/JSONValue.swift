/// A JSON (or JSON5-parsed) value.
///
/// The simulator has its own JSON type rather than ClawrunCore's because it must behave like
/// Node: JSON5 input, JavaScript number output, `\b`/`\f` escapes, the last duplicate key
/// winning, and V8/json5 error wording.
///
/// Objects keep their keys in insertion order, like JavaScript objects, so that a config
/// rewritten by `config set` keeps the layout the user wrote and `config get` prints keys
/// in the same order the real CLI does.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            for (index, pair) in a.enumerated() where pair.0 != b[index].0 || pair.1 != b[index].1 {
                return false
            }
            return true
        default: return false
        }
    }

    /// The member `key` of an object, or nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    /// The value as a string, if it is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as a number, if it is one.
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The value as a boolean, if it is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The members of an object, or nil for anything else.
    public var objectMembers: [(String, JSONValue)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The elements of an array, or nil for anything else.
    public var arrayElements: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Whether this is an object (JSON `{}`), which is what a config root must be.
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// Follows a dotted path of object keys (`gateway.auth.token`); nil when any step is missing.
    public func value(atKeys keys: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    /// Returns a copy with `key` set (replacing an existing member in place, else appended).
    /// A non-object becomes an object, as JavaScript assignment into `{}` would.
    public func setting(_ key: String, to newValue: JSONValue) -> JSONValue {
        var members = objectMembers ?? []
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = newValue
        } else {
            members.append((key, newValue))
        }
        return .object(members)
    }

    /// Returns a copy without `key` (objects only).
    public func removing(_ key: String) -> JSONValue {
        guard var members = objectMembers else { return self }
        members.removeAll { $0.0 == key }
        return .object(members)
    }
}

extension Int {
    /// A JSON number as a count or size: truncated toward zero and pinned into `range`, NaN
    /// giving the lower bound, because `Int(_:)` traps on NaN, infinities and beyond ±9.2e18.
    init(clamping value: Double, to range: ClosedRange<Int>) {
        if value.isNaN || value <= Double(range.lowerBound) {
            self = range.lowerBound
        } else if value >= Double(range.upperBound) {
            self = range.upperBound
        } else {
            self = Int(value)
        }
    }
}
