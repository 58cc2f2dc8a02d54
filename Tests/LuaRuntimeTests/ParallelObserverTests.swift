import Testing
@testable import LuaRuntime

/// An observer that refuses to start items once `stopAfter` items have failed, and logs what it saw.
final class StoppingObserver: ParallelObserver {
    var stopAfter: Int
    var failures = 0
    var log: [String] = []

    init(stopAfter: Int) { self.stopAfter = stopAfter }

    func reasonToSkip(label: String?, jobTotal: Int) -> String? {
        failures >= stopAfter ? "\(failures) failed" : nil
    }
    func itemStarted(label: String?) { log.append("start \(label ?? "-")") }
    func itemEnded(label: String?, error: String?) {
        if error != nil { failures += 1 }
        log.append("end \(label ?? "-")\(error == nil ? "" : " failed")")
    }
    func itemSkipped(label: String?, reason: String) { log.append("skip \(label ?? "-"): \(reason)") }
}

@Suite struct ParallelObserverTests {
    func run(_ observer: StoppingObserver, _ source: String) async throws -> [LuaValue] {
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        state.register("sleep") { call in try scheduler.sleep(call, seconds: try call.number(1, "seconds")) }
        state.register("parallel") { call in try scheduler.parallel(&call) }
        scheduler.parallelObserver = observer
        scheduler.labelForItem = { item in
            if case .table(let t) = item, case .string(let id)? = t["id"] { return id }
            return nil
        }
        try state.load(source, chunkName: "@o.lua")
        return try await scheduler.runOnOwnThread().get()
    }

    @Test func itemsAfterThePolicyTripsAreSkippedNotStarted() async throws {
        let observer = StoppingObserver(stopAfter: 1)
        let v = try await run(observer, """
            local items = {{id = "a"}, {id = "b"}, {id = "c"}, {id = "d"}}
            local results, summary = parallel(items, function(m)
              if m.id == "a" then error("a broke") end
              sleep(0.001)
            end, {limit = 1})
            return results[2].ok, results[2].skipped, results[2].error, summary.failed, summary.skipped, summary.ok
            """)
        #expect(v[0] == .boolean(false))
        #expect(v[1] == .boolean(true))
        #expect(v[2] == .string("skipped: 1 failed"))
        #expect(Array(v[3...]) == [.integer(1), .integer(3), .integer(0)])
        #expect(observer.log == ["start a", "end a failed", "skip b: 1 failed", "skip c: 1 failed", "skip d: 1 failed"])
    }

    @Test func itemsInFlightFinishWhenThePolicyTrips() async throws {
        let observer = StoppingObserver(stopAfter: 1)
        let v = try await run(observer, """
            local items = {{id = "a"}, {id = "b"}, {id = "c"}}
            local _, summary = parallel(items, function(m)
              if m.id == "a" then error("a broke") end
              sleep(0.05)
            end, {limit = 2})
            return summary.ok, summary.failed, summary.skipped
            """)
        #expect(v == [.integer(1), .integer(1), .integer(1)])
        #expect(observer.log.contains("end b"))
        #expect(observer.log.contains("skip c: 1 failed"))
    }

    @Test func everyItemSkippedStillReturnsOnce() async throws {
        let observer = StoppingObserver(stopAfter: 0)
        let v = try await run(observer, """
            local results, summary = parallel({{id = "a"}, {id = "b"}}, function() end, {limit = 4})
            return #results, summary.skipped
            """)
        #expect(v == [.integer(2), .integer(2)])
    }
}
