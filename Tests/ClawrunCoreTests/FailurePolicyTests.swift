import ClawrunCore
import Testing

@Suite struct FailurePolicyTests {
    @Test func maxFailPercentTripsOnlyWhenExceeded() {
        let policy = FailurePolicy(maxFailPercent: 10)
        #expect(policy.stopReason(failed: 4, total: 40) == nil)
        #expect(policy.stopReason(failed: 5, total: 40)?.contains("5 of 40 targets failed, more than 10%") == true)
        #expect(FailurePolicy(maxFailPercent: 0).stopReason(failed: 1, total: 1000) != nil)
        #expect(FailurePolicy(maxFailPercent: 100).stopReason(failed: 40, total: 40) == nil)
    }

    @Test func failFastTripsOnTheFirstFailure() {
        #expect(FailurePolicy(failFast: true).stopReason(failed: 0, total: 5) == nil)
        #expect(FailurePolicy(failFast: true).stopReason(failed: 1, total: 5) == "a target failed (--fail-fast)")
        #expect(FailurePolicy().stopReason(failed: 5, total: 5) == nil)
    }

    @Test func percentOutsideRangeIsAUsageError() {
        #expect(throws: ClawrunError.self) { try FailurePolicy(maxFailPercent: 101).validate() }
        #expect(throws: ClawrunError.self) { try FailurePolicy(maxFailPercent: -1).validate() }
        #expect(throws: ClawrunError.self) { try FailurePolicy(maxFailPercent: .nan).validate() }
    }
}
