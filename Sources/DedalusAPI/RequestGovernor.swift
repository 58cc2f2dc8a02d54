import ClawrunCore
import Foundation

/// One request budget for a whole run, and the run's answer to 429s: requests are paced at
/// `--rate` (if set) and at a rate learnt from the server (on a 429 it drops to 90 % of the rate
/// that was getting through, then grows 5 % a second without 429s), the server's `retry-after`
/// hint delays every request, and fewer requests fly at once (halved on a 429, one more per
/// window of successes). A call that meets 429s retries them without spending the SDK's retries,
/// until the API has answered nothing but 429 for `saturationDeadline` seconds.
final class RequestGovernor: Sendable {
    private struct State {
        var maxInFlight: Int
        var limit: Int
        var inFlight = 0
        var credit = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// The pacing rate in force (nil: none), and when the next request may go.
        var learntRate: Double?
        var nextSlot = 0.0
        var lastDecrease = -Double.infinity
        var lastIncrease = 0.0
        /// Successes in the current measuring window, and the rate of the last full one.
        var windowStart = 0.0
        var windowCount = 0
        var lastRate: Double?
        /// When the current unbroken run of 429s began (nil: the last answer was not a 429).
        var saturatedSince: Double?
        var lastAnnounced = -Double.infinity
        var holding = 0
        var holdingSince = 0.0
        var report = ThrottleReport()
    }

    let rate: Double?
    let saturationDeadline: Double
    private let state: Locked<State>
    private let clock: @Sendable () -> Double

    /// A governor for at most `maxInFlight` requests at once, `rate` a second (nil: no budget).
    init(rate: Double?, maxInFlight: Int, saturationDeadline: Double, clock: @escaping @Sendable () -> Double = monotonicNow) {
        self.rate = rate
        self.saturationDeadline = saturationDeadline
        self.clock = clock
        let now = clock()
        state = Locked(State(maxInFlight: max(1, maxInFlight), limit: max(1, maxInFlight), lastIncrease: now,
                             windowStart: now))
    }

    /// The figures so far.
    var report: ThrottleReport {
        state.withLock { s in
            var r = s.report
            if s.holding > 0 { r.throttledSeconds += clock() - s.holdingSince }
            return r
        }
    }

    /// Waits until a request may go: a free in-flight slot, then its pacing slot. Call `release`
    /// after its answer.
    func admit(sleeper: Sleeper) async throws {
        let gated: Bool = state.withLock { s in
            s.report.requests += 1
            if s.inFlight < s.limit && s.waiters.isEmpty {
                s.inFlight += 1
                return false
            }
            hold(&s)
            return true
        }
        if gated {
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = state.withLock { s in
                    if s.inFlight < s.limit && s.waiters.isEmpty {
                        s.inFlight += 1
                        return true
                    }
                    s.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            state.withLock { unhold(&$0) }
        }
        let wait: Double = state.withLock { s in
            let pace = [rate, s.learntRate].compactMap { $0 }.min()
            let now = clock()
            let slot = max(now, s.nextSlot)
            if let pace { s.nextSlot = slot + 1 / pace }
            if slot > now { hold(&s) }
            return slot - now
        }
        guard wait > 0 else { return }
        defer { state.withLock { unhold(&$0) } }
        do {
            try await sleeper(wait)
        } catch {
            release()
            throw error
        }
    }

    /// A request admitted by `admit` has its answer: its slot goes to the next waiter.
    func release() {
        let next: [CheckedContinuation<Void, Never>] = state.withLock { s in
            s.inFlight -= 1
            var woken: [CheckedContinuation<Void, Never>] = []
            while s.inFlight < s.limit, !s.waiters.isEmpty {
                s.inFlight += 1
                woken.append(s.waiters.removeFirst())
            }
            return woken
        }
        for continuation in next { continuation.resume() }
    }

    /// An answer other than 429 arrived: the API is not saturated; a success also counts towards
    /// the measured rate and lets the rate and the in-flight limit grow again.
    func answered(success: Bool) {
        state.withLock { s in
            s.saturatedSince = nil
            guard success else { return }
            let now = clock()
            s.windowCount += 1
            if now - s.windowStart >= 0.5 {
                s.lastRate = Double(s.windowCount) / (now - s.windowStart)
                s.windowStart = now
                s.windowCount = 0
            }
            s.credit += 1
            if s.credit >= s.limit, s.limit < s.maxInFlight {
                s.limit += 1
                s.credit = 0
            }
            if let learnt = s.learntRate, now - s.lastIncrease >= 1 {
                s.learntRate = learnt * 1.05
                s.lastIncrease = now
            }
        }
    }

    /// What to do after a 429.
    struct Verdict {
        /// The API has answered only 429s for longer than the deadline: fail the call.
        var saturatedFor: Double?
        /// Tell the user (at most once every 5 s for the whole run, so a long slow-down is one line a while).
        var announce: Bool
        /// The wait the server asked for (or a short default), which every request now respects.
        var wait: Double
    }

    /// A 429 arrived with the server's hint (seconds, if any).
    func rateLimited(hint: Double?) -> Verdict {
        state.withLock { s in
            let now = clock()
            s.report.rateLimited += 1
            let since = s.saturatedSince ?? now
            s.saturatedSince = since
            if now - since >= saturationDeadline { return Verdict(saturatedFor: now - since, announce: false, wait: 0) }
            let wait = hint.flatMap { $0 > 0 && $0 <= 60 ? $0 : nil } ?? 0.25
            s.nextSlot = max(s.nextSlot, now + wait)
            if now - s.lastDecrease >= max(wait, 0.5) {
                s.lastDecrease = now
                s.lastIncrease = now
                s.limit = max(1, s.limit / 2)
                s.credit = 0
                // The rate that was getting through: this window's if it is long enough to say,
                // else the last full window's; never above the rate already learnt.
                let elapsed = now - s.windowStart
                let current = elapsed >= 0.02 && s.windowCount > 0 ? Double(s.windowCount) / elapsed : nil
                let base = [s.learntRate, current ?? s.lastRate].compactMap { $0 }.filter { $0 > 0 }.min() ?? 10
                s.learntRate = max(1, 0.9 * base)
            }
            let announce = now - s.lastAnnounced >= 5
            if announce { s.lastAnnounced = now }
            return Verdict(saturatedFor: nil, announce: announce, wait: wait)
        }
    }

    private func hold(_ s: inout State) {
        if s.holding == 0 { s.holdingSince = clock() }
        s.holding += 1
    }

    private func unhold(_ s: inout State) {
        s.holding -= 1
        if s.holding == 0 { s.report.throttledSeconds += clock() - s.holdingSince }
    }
}
