import ClawrunCore
import Testing

/// Sources/ClawrunCore/JSONValue+Parsing.swift: nesting past `NestingLimit.depth` is an error,
/// never a deep recursion, and random bytes never crash the reader.
@Suite struct JSONDepthTests {
    static func nested(_ depth: Int, object: Bool = false) -> String {
        object ? String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            : String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
    }

    @Test func theLimitItselfParsesAndOneMoreLevelIsAnError() throws {
        for object in [false, true] {
            let text = JSONDepthTests.nested(NestingLimit.depth, object: object)
            #expect(try JSONValue.parse(text).compactText == text)
            #expect(throws: JSONParseError.self) { try JSONValue.parse(JSONDepthTests.nested(NestingLimit.depth + 1, object: object)) }
        }
    }

    @Test func tenThousandLevelsAreAnErrorNamingTheLimit() {
        for object in [false, true] {
            do {
                _ = try JSONValue.parse(JSONDepthTests.nested(10_000, object: object))
                Issue.record("a 10,000-deep text parsed")
            } catch {
                #expect("\(error)".hasPrefix("nested deeper than 200 levels at byte"), "\(error)")
            }
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(String(repeating: "[", count: 1_000_000)) }
    }

    @Test func randomBytesNeverCrashTheReader() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("[]{}\",:0123456789-+.eEtruefalsn \\u\n".utf8) + [0, 0xFF, 0xC3]
        var parsed = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &rng)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &rng)! }
            if let value = try? JSONValue.parse(bytes) {
                parsed += 1
                #expect(try JSONValue.parse(value.compactText) == JSONDepthTests.stringified(value), "\(bytes)")
            }
        }
        #expect(parsed > 0)
    }

    /// A number past Double's range (`1e999`) reads as an infinity, as `JSON.parse` reads it, and
    /// is written as `null`, as `JSON.stringify` writes a non-finite number (ECMA-262,
    /// SerializeJSONProperty): the one value whose text does not read back as itself.
    @Test func numbersPastTheRangeOfADoubleReadAsInfinityAndWriteAsNull() throws {
        #expect(try JSONValue.parse("1e999") == .double(.infinity))
        #expect(try JSONValue.parse("[-1e999]").compactText == "[null]")
    }

    /// What `JSON.parse(JSON.stringify(value))` gives: the value with every non-finite number null.
    static func stringified(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let d) where !d.isFinite: return .null
        case .array(let items): return .array(items.map(stringified))
        case .object(let members): return .object(members.map { ($0.0, stringified($0.1)) })
        default: return value
        }
    }
}
