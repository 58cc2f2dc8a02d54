import ClawrunCore
import Foundation
import Testing

@Suite struct RFC3339Tests {
    @Test func timestampsWithZeroToNineFractionalDigits() {
        let base = 1_785_954_453.0
        #expect(RFC3339.parse("2026-08-05T18:27:33Z")?.timeIntervalSince1970 == base)
        for digits in 1...9 {
            let text = "2026-08-05T18:27:33." + String(repeating: "5", count: digits) + "Z"
            let value = RFC3339.parse(text)?.timeIntervalSince1970 ?? 0
            #expect(value > base + 0.5 - 0.000_001 && value < base + 0.56, "\(text)")
        }
        #expect(RFC3339.parse("2026-08-05T20:27:33+02:00")?.timeIntervalSince1970 == base)
        #expect(RFC3339.parse("2026-08-05 18:27:33") == nil)
        #expect(RFC3339.parse("yesterday") == nil)
    }

    @Test func writtenTimestampsReadBack() throws {
        let quarter = Date(timeIntervalSince1970: 1_785_954_454.25)
        #expect(RFC3339.string(quarter) == "2026-08-05T18:27:34.250000000Z")
        #expect(RFC3339.parse(RFC3339.string(quarter)) == quarter)
        // A Date is a Double of seconds since 2001, so nanoseconds survive only to about 0.1 µs.
        let date = Date(timeIntervalSince1970: 1_785_954_454.091_276_598)
        let text = RFC3339.string(date)
        #expect(text.hasPrefix("2026-08-05T18:27:34.091276") && text.hasSuffix("Z") && text.count == 30)
        let back = try #require(RFC3339.parse(text))
        #expect(abs(back.timeIntervalSince(date)) < 0.000_001)
    }
}
