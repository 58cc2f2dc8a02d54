import ClawrunCore
import Testing
@testable import LocalMachines

@Suite("Boot gate")
struct BootGateTests {
    @Test("no more boots than its width are inside at once, and all get in")
    func width() async throws {
        let gate = BootGate(width: 2)
        let inside = Locked((now: 0, most: 0, done: 0))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    await gate.enter()
                    inside.withLock {
                        $0.now += 1
                        $0.most = max($0.most, $0.now)
                    }
                    try? await Task.sleep(nanoseconds: 1_000_000)
                    inside.withLock {
                        $0.now -= 1
                        $0.done += 1
                    }
                    gate.leave()
                }
            }
        }
        let seen = inside.withLock { $0 }
        #expect(seen.most <= 2)
        #expect(seen.done == 12)
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
