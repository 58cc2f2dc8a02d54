import ClawrunCore
import Foundation
import Testing
@testable import LuaRuntime

/// An interrupt stops Lua code that never yields (Sources/CLua/shim.h `clawrun_stop_signal_handler`,
/// Sources/LuaRuntime/Scheduler.swift `interrupt`): in the main coroutine, in a `parallel` item,
/// in a script's own coroutine, and in code that catches the error and loops again.
@Suite struct InterruptTests {
    func stopped(_ source: String) async throws -> String {
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        state.register("parallel") { call in try scheduler.parallel(&call) }
        state.register("sleep") { call in try scheduler.sleep(call, seconds: try call.number(1, "seconds")) }
        try state.load(source, chunkName: "@spin.lua")
        let box = UncheckedBox(scheduler)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            box.value.interrupt(grace: 0.2, reason: "received SIGTERM")
        }
        switch await scheduler.runOnOwnThread() {
        case .success(let values): return "returned \(values)"
        case .failure(let error): return error.message
        }
    }

    @Test func aLoopInTheMainCoroutineRaises() async throws {
        let message = try await stopped("while true do end")
        #expect(message.hasPrefix("spin.lua:1: interrupted"), "\(message)")
    }

    @Test func aLoopInAParallelItemEndsTheRun() async throws {
        let message = try await stopped("parallel({1, 2}, function(i) if i == 2 then while true do end end sleep(600) end)")
        #expect(message.contains("received SIGTERM") || message.contains("interrupted"), "\(message)")
    }

    @Test func aLoopInTheScriptsOwnCoroutineRaises() async throws {
        let message = try await stopped("""
            local co = coroutine.wrap(function() local x = 0 while true do x = x + 1 end end)
            co()
            """)
        #expect(message.contains("interrupted"), "\(message)")
    }

    @Test func catchingTheErrorDoesNotKeepTheLoopAlive() async throws {
        let message = try await stopped("""
            while true do
              pcall(function() while true do end end)
              local ok = coroutine.resume(coroutine.create(function() while true do end end))
            end
            """)
        #expect(message.contains("interrupted"), "\(message)")
    }

    @Test func withoutAnInterruptNothingIsArmed() async throws {
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        try state.load("local x = 0 for i = 1, 1000000 do x = x + i end return x, debug.gethook()", chunkName: "@t.lua")
        let values = try await scheduler.runOnOwnThread().get()
        #expect(values == [.integer(500_000_500_000), .nil])
    }

    /// Scheduler.perform keeps each Swift task's handle: work that an interrupted run stops
    /// waiting for is cancelled, not left running after the run.
    @Test func workThatTheRunAbandonsIsCancelled() async throws {
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        let started = DispatchSemaphore(value: 0), cancelled = DispatchSemaphore(value: 0)
        state.register("wait_forever") { call in
            try scheduler.perform(call) {
                try await withTaskCancellationHandler {
                    started.signal()
                    try await Task.sleep(for: .seconds(3600))
                    return []
                } onCancel: {
                    cancelled.signal()
                }
            }
        }
        try state.load("wait_forever()", chunkName: "@wait.lua")
        let interrupter = scheduler.interrupter
        Thread.detachNewThread {
            started.wait()
            interrupter.interrupt(grace: 0, reason: "received SIGINT")
        }
        let result = await scheduler.runOnOwnThread()
        guard case .failure(let error) = result else { Issue.record("the run did not fail: \(result)"); return }
        #expect(error.message.contains("received SIGINT"), "\(error.message)")
        #expect(cancelled.wait(timeout: .now() + 60) == .success, "the abandoned task was never cancelled")
    }
}
