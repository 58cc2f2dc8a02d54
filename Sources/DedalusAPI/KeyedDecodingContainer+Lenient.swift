import ClawrunCore
import Foundation

/// Tolerant field readers for API documents: a missing, null or oddly typed optional field reads as
/// nil instead of failing the whole document (the SDKs parse non-strictly too).
extension KeyedDecodingContainer {
    /// A string, or a number rendered as text.
    func lenientString(_ key: Key) -> String? {
        if let s = try? decodeIfPresent(String.self, forKey: key) { return s }
        if let i = try? decodeIfPresent(Int64.self, forKey: key) { return String(i) }
        return nil
    }

    /// An integer, also from a whole JSON number written with a fraction or from digits in a string.
    func lenientInt(_ key: Key) -> Int? {
        if let i = try? decodeIfPresent(Int.self, forKey: key) { return i }
        if let d = try? decodeIfPresent(Double.self, forKey: key), d.isFinite, abs(d) < 9.0e18 { return Int(d) }
        if let s = try? decodeIfPresent(String.self, forKey: key) { return Int(s) }
        return nil
    }

    /// A number, also from digits in a string.
    func lenientDouble(_ key: Key) -> Double? {
        if let d = try? decodeIfPresent(Double.self, forKey: key) { return d }
        if let s = try? decodeIfPresent(String.self, forKey: key) { return Double(s) }
        return nil
    }

    /// A boolean.
    func lenientBool(_ key: Key) -> Bool? {
        try? decodeIfPresent(Bool.self, forKey: key)
    }

    /// An RFC 3339 timestamp with 0 to 9 fractional digits.
    func lenientDate(_ key: Key) -> Date? {
        lenientString(key).flatMap(RFC3339.parse)
    }

    /// A list of strings.
    func lenientStrings(_ key: Key) -> [String]? {
        try? decodeIfPresent([String].self, forKey: key)
    }

    /// A required identifier: a non-empty string (or number), else a decoding error naming the field.
    func requiredID(_ key: Key) throws -> String {
        guard let id = lenientString(key), !id.isEmpty else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing \(key.stringValue)"))
        }
        return id
    }
}
