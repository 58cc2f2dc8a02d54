/// When a fleet run stops starting machines: `--fail-fast` on the first failed target, or
/// `--max-fail-percent P` once failures exceed P percent of the targets (Ansible's
/// `max_fail_percentage`: reaching P exactly does not trip it).
public struct FailurePolicy: Sendable, Equatable {
    /// Stop once more than this percentage of the targets failed.
    public var maxFailPercent: Double?
    /// Stop at the first failure.
    public var failFast: Bool

    /// Makes a policy; the default never stops.
    public init(maxFailPercent: Double? = nil, failFast: Bool = false) {
        self.maxFailPercent = maxFailPercent
        self.failFast = failFast
    }

    /// Checks the percentage is one (0 to 100).
    public func validate() throws {
        if let p = maxFailPercent, !(p >= 0 && p <= 100) {
            throw ClawrunError.usage("--max-fail-percent must be from 0 to 100, got \(p)")
        }
    }

    /// Why no more targets should start after `failed` of `total` failed, or nil to go on.
    public func stopReason(failed: Int, total: Int) -> String? {
        guard failed > 0 else { return nil }
        if failFast { return "a target failed (--fail-fast)" }
        if let p = maxFailPercent, total > 0, Double(failed) * 100 > p * Double(total) {
            let shown = p == p.rounded() ? String(Int(p)) : String(p)
            return "\(failed) of \(total) targets failed, more than \(shown)% (--max-fail-percent \(shown))"
        }
        return nil
    }
}
