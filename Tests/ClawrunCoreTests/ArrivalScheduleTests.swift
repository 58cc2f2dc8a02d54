import ClawrunCore
import Testing

/// The arrival schedule of load-test's rate mode (k6's `constant-arrival-rate` and
/// `ramping-arrival-rate` executors, https://grafana.com/docs/k6/latest/using-k6/scenarios/executors/)
/// and the generator's per-request lines.
struct ArrivalScheduleTests {
    @Test func constantRateSendsRateTimesDuration() {
        let s = ArrivalSchedule.constant(rate: 200, duration: 5)
        #expect(s.totalRequests == 1000)
        #expect(s.expectedCount(until: 1) == 200)
        #expect(s.generatorArgument == "200.0;5.0:200.0")
    }

    @Test func stagesRampLinearlyBetweenTargets() throws {
        let s = try ArrivalSchedule.parse(stages: "30s:10, 1m:50,500ms:0")
        #expect(s.stages == [.init(duration: 30, target: 10), .init(duration: 60, target: 50), .init(duration: 0.5, target: 0)])
        #expect(s.duration == 90.5)
        // 0 → 10 over 30 s is 150 requests; 10 → 50 over 60 s is 1,800; 50 → 0 over 0.5 s is 12.5.
        #expect(abs(s.expectedCount(until: 30) - 150) < 1e-9)
        #expect(abs(s.expectedCount(until: 90) - 1950) < 1e-9)
        #expect(s.totalRequests == 1963)
        let ramp = try ArrivalSchedule.parse(stages: "2s:300", startRate: 100)
        // The rate at t is 100 + 100 t: the first second sends 150, the second 250.
        #expect(abs(ramp.expectedCount(until: 1) - 150) < 1e-9)
        #expect(abs(ramp.expectedCount(until: 2) - ramp.expectedCount(until: 1) - 250) < 1e-9)
    }

    @Test func badStagesNameThePiece() {
        for bad in ["30s", "30s:x", "abc:10", "30s:10,", "-1s:5", "0s:5", "30s:-2"] {
            #expect {
                try ArrivalSchedule.parse(stages: bad)
            } throws: { error in
                (error as? ScheduleError)?.description.contains("is not duration:rate") == true
            }
        }
        #expect(ArrivalSchedule.seconds("2m") == 120)
        #expect(ArrivalSchedule.seconds("250ms") == 0.25)
        #expect(ArrivalSchedule.seconds("1d") == nil)
    }

    @Test func generatorLinesParse() {
        let text = """
            0 120 1500 200 - 0
            5000 80 204000 200 - 1
            10000 0 30000000 0 timeout 0
            garbage line
            15000 3 900 500 http_500 0
            """
        let (timings, malformed) = ArrivalTimingsParser.parse(text)
        #expect(malformed == 1)
        #expect(timings.count == 4)
        #expect(timings[1] == .init(intended: 0.005, lag: 0.00008, latency: 0.204, status: 200, errorKind: nil, late: true))
        #expect(timings[2].errorKind == "timeout")
        #expect(timings[3].errorKind == "http_500")
        #expect(abs(timings[1].sent - 0.00508) < 1e-12)
        let summary = ArrivalTimingsParser.summary("noise\ngenerator sent 1000 dropped 2 errors 3 wall 5.001\n")
        #expect(summary?.sent == 1000 && summary?.dropped == 2 && summary?.errors == 3 && summary?.wall == 5.001)
        #expect(ArrivalTimingsParser.summary("Traceback (most recent call last):") == nil)
    }
}
