/// A Lua value copied out of (or into) a `lua_State`: what crosses threads and async boundaries.
public indirect enum LuaValue: Sendable, Equatable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    /// A Lua string; embedded zeros are kept, bytes that are not UTF-8 are replaced.
    case string(String)
    case table(LuaTable)

    /// The value as text, for strings and numbers.
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        default: return nil
        }
    }

    /// The table, when the value is one.
    public var tableValue: LuaTable? {
        if case .table(let t) = self { return t }
        return nil
    }
}

/// A Lua table as Swift sees it: its sequence 1..n and its string-keyed fields, in key order.
public struct LuaTable: Sendable, Equatable {
    public var sequence: [LuaValue]
    public var fields: [(String, LuaValue)]

    /// Makes a table from a sequence and fields.
    public init(sequence: [LuaValue] = [], fields: [(String, LuaValue)] = []) {
        self.sequence = sequence
        self.fields = fields
    }

    /// Makes a table of string-keyed fields.
    public init(_ fields: [(String, LuaValue)]) {
        self.init(sequence: [], fields: fields)
    }

    /// The field named `key`.
    public subscript(key: String) -> LuaValue? {
        fields.first { $0.0 == key }?.1
    }

    public static func == (a: LuaTable, b: LuaTable) -> Bool {
        a.sequence == b.sequence && a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(nilLiteral: ()) { self = .nil }
}
