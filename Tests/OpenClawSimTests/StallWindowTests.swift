import OpenClawSim
import Testing

/// `OPENCLAW_SIM_STALL_MS`, the stall load-test's tests inject (issue 19): nothing is answered in
/// the first N ms of every second, as in a gateway's long GC pause.
struct StallWindowTests {
    @Test func aRequestInsideTheStallWaitsForItsEnd() {
        let stall = StallWindow(environment: ["OPENCLAW_SIM_STALL_MS": "200"])
        #expect(stall.wait(atMs: 5_000) == 200)
        #expect(stall.wait(atMs: 5_150) == 50)
        #expect(stall.wait(atMs: 5_199) == 1)
        #expect(stall.wait(atMs: 5_200) == 0)
        #expect(stall.wait(atMs: 5_999) == 0)
    }

    @Test func unsetOrBadMeansNoStallAndItNeverExceedsThePeriod() {
        #expect(StallWindow(environment: [:]).wait(atMs: 0) == 0)
        #expect(StallWindow(environment: ["OPENCLAW_SIM_STALL_MS": "lots"]).wait(atMs: 0) == 0)
        #expect(StallWindow(environment: ["OPENCLAW_SIM_STALL_MS": "-5"]).wait(atMs: 0) == 0)
        #expect(StallWindow(environment: ["OPENCLAW_SIM_STALL_MS": "5000"]).stallMs == 1000)
    }
}
