import ClawrunCore
import Testing
@testable import LocalMachines

@Suite("Boot gate")
struct BootGateTests {
    @Test("exactly its width of boots are inside at once while others wait, and all get in")
    func width() async throws {
        let width = 2, boots = 12
        let gate = BootGate(width: width)
        // Each boot that got in parks here until the test lets it go, so that the test looks at
        // the gate only in settled states: every boot not let go is either inside or waiting.
        let parked = Locked([CheckedContinuation<Void, Never>]())
        let left = Locked(0)
        let tasks = (0..<boots).map { _ in
            Task {
                await gate.enter()
                await withCheckedContinuation { continuation in parked.withLock { $0.append(continuation) } }
                gate.leave()
                left.withLock { $0 += 1 }
            }
        }
        for released in 0..<boots {
            while left.withLock({ $0 }) != released || parked.withLock({ $0.count }) + gate.waiting != boots - released {
                await Task.yield()
            }
            #expect(parked.withLock { $0.count } == min(width, boots - released), "after \(released) boots left")
            parked.withLock { $0.removeFirst() }.resume()
        }
        for task in tasks { await task.value }
        #expect(left.withLock { $0 } == boots)
    }

    @Test("waiting boots get in first come, first served")
    func order() async throws {
        let gate = BootGate(width: 1)
        let order = Locked([Int]())
        await gate.enter()
        var waiters: [Task<Void, Never>] = []
        for i in 0..<5 {
            waiters.append(Task {
                await gate.enter()
                order.withLock { $0.append(i) }
                gate.leave()
            })
            while gate.waiting < i + 1 { await Task.yield() }
        }
        gate.leave()
        for waiter in waiters { await waiter.value }
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4])
    }
}
