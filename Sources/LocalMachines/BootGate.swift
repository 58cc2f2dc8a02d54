import ClawrunCore

/// Admits a few sandbox boots at a time, first come first served. Boots are CPU work (new
/// namespaces, an overlay mount); fifty sharing two cores all finish late together, while taken a
/// few at a time the first are ready after one boot's time and the average wait is about half.
final class BootGate: Sendable {
    private struct Slots {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let slots: Locked<Slots>

    /// Makes a gate of `width` slots.
    init(width: Int) {
        slots = Locked(Slots(free: max(1, width)))
    }

    /// How many boots wait for a slot.
    var waiting: Int { slots.withLock { $0.waiting.count } }

    /// Waits for a slot.
    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = slots.withLock { s -> Bool in
                if s.free > 0 {
                    s.free -= 1
                    return true
                }
                s.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    /// Gives a slot back, to the longest waiting boot if any.
    func leave() {
        let next = slots.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiting.isEmpty {
                s.free += 1
                return nil
            }
            return s.waiting.removeFirst()
        }
        next?.resume()
    }
}
