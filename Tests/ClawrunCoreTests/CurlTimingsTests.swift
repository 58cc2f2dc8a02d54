import ClawrunCore
import Testing

/// The load test's per-request timing lines.
@Suite struct CurlTimingsTests {
    @Test func parsesLinesAndClassifiesErrors() {
        let text = """
            200 0 0.000100 0.002000 0.002100
            401 0 0.000100 0.001000 0.001100
            000 7 0.000000 0.000000 0.000300
            000 28 0.000100 0.000000 30.001000
            garbage
            """
        let (timings, malformed) = CurlTimingsParser.parse(text)
        #expect(timings.count == 4)
        #expect(malformed == 1)
        #expect(timings[0] == CurlTimingsParser.Timing(status: 200, curlExit: 0, connect: 0.0001, firstByte: 0.002, total: 0.0021))
        #expect(timings.map(\.errorKind) == [nil, "http_401", "connect_refused", "timeout"])
    }
}
