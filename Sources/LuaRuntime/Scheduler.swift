import CLua
import ClawrunCore
import Foundation

/// Drives every coroutine of one run on one thread: resumes those that are ready, wakes sleepers
/// from a timer heap, and takes results of async work from an inbox. Host functions suspend the
/// running coroutine (`suspend`, `perform`, `sleep`) and Swift concurrency does the I/O.
public final class Scheduler {
    public let state: LuaState
    let inbox = Inbox()
    var coroutines: [Int: Coroutine] = [:]
    var ready: [(Int, Resumption?, Int32)] = []
    var timers = TimerHeap()
    var nextID = 0
    var suspended = 0
    var mainEnd: CoroutineEnd?
    var mainResults: [LuaValue] = []
    /// Set once an interruption was asked for: `parallel` starts no new items.
    public private(set) var isCancelling = false
    var cancelDeadline: Double?

    /// The coroutine running now (nil between resumes).
    public private(set) var current: Coroutine?
    /// Called with the context and traceback of every error that ends a coroutine other than the main one.
    public var onCoroutineError: ((CoroutineContext, String) -> Void)?
    /// Names a `parallel` item for the context of the coroutine that runs it (e.g. a machine id).
    public var labelForItem: ((LuaValue) -> String?)?
    /// The `parallel` limit when a call gives none.
    public var defaultLimit = 16
    /// Counts and steers `parallel` items (a fleet run's failure policy and progress).
    public var parallelObserver: ParallelObserver?

    /// Makes the scheduler of a state and installs the coroutine wrappers that let host yields
    /// pass through user coroutines.
    public init(state: LuaState) throws {
        self.state = state
        state.scheduler = self
        let L = state.L
        try state.load(Scheduler.prelude, chunkName: "=(coroutine prelude)")
        state.pushYieldSentinel(on: L)
        LuaInterrupt.pushCoroutineResume(on: L)
        if lua_pcall(L, 2, 0, 0) != LUA_OK {
            let msg = state.errorText(at: -1, on: L)
            lua_pop(L, 1)
            throw LuaError(kind: .runtime, message: msg)
        }
    }

    /// Runs the function on top of the main stack (below its `nargs` arguments) as the main
    /// coroutine until it ends; returns its results or its error with traceback.
    public func run(nargs: Int32 = 0, context: CoroutineContext = CoroutineContext()) -> Result<[LuaValue], LuaError> {
        _ = spawn(nargs: nargs, context: context) { [unowned self] co, end in
            var end = end
            if case .returned(let n) = end {
                let top = lua_gettop(co.thread)
                do {
                    self.mainResults = n > 0
                        ? try (top - n + 1...top).map { try self.state.value(checked: $0, on: co.thread) } : []
                } catch {
                    end = .raised("the workflow's return value is \(error)")
                }
            }
            self.mainEnd = end
        }
        loop()
        cancelWork()
        switch mainEnd {
        case .returned?: return .success(mainResults)
        case .raised(let message)?: return .failure(LuaError(kind: .runtime, message: message))
        case nil: return .failure(LuaError(kind: .runtime, message: "the workflow stopped without finishing"))
        }
    }

    /// Runs like `run(nargs:context:)` on a thread of its own, so that the blocking loop never
    /// holds one of Swift concurrency's few threads while the I/O it waits for needs them.
    public func runOnOwnThread(nargs: Int32 = 0, context: CoroutineContext = CoroutineContext()) async
        -> Result<[LuaValue], LuaError>
    {
        await withCheckedContinuation { continuation in
            let box = UncheckedBox(self)
            let thread = Thread {
                continuation.resume(returning: box.value.run(nargs: nargs, context: context))
            }
            thread.name = "clawrun-lua"
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    /// Asks the run to stop: no new `parallel` items start; after `grace` seconds, whatever still
    /// waits is abandoned, Lua code still running raises, and the main coroutine fails with
    /// `reason`. Safe from any thread.
    public func interrupt(grace: Double, reason: String) {
        interrupter.interrupt(grace: grace, reason: reason)
    }

    /// A handle on the scheduler's thread-safe part, for signal handlers and timers on other threads.
    public var interrupter: Interrupter {
        Interrupter(pending: pendingInterrupt, inbox: inbox, luaThread: luaThread)
    }

    /// Stops a run from any thread: see `Scheduler.interrupt(grace:reason:)`.
    public struct Interrupter: Sendable {
        fileprivate let pending: Locked<(deadline: Double, reason: String)?>
        fileprivate let inbox: Inbox
        fileprivate let luaThread: Locked<pthread_t?>

        /// Asks the run to stop, as `Scheduler.interrupt(grace:reason:)` does.
        public func interrupt(grace: Double, reason: String) {
            let deadline = monotonicNow() + grace
            pending.withLock { pending in
                pending = (min(deadline, pending?.deadline ?? deadline), reason)
            }
            inbox.interrupt()
            let luaThread = self.luaThread
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
                luaThread.withLock { thread in
                    if let thread { LuaInterrupt.stop(thread) }
                }
            }
        }
    }

    private let pendingInterrupt = Locked<(deadline: Double, reason: String)?>(nil)
    private var interruptReason = "interrupted"
    /// The OS thread in `loop`, for the stop signal; held under its lock while signalled so
    /// that the thread cannot leave the loop meanwhile.
    private let luaThread = Locked<pthread_t?>(nil)
    /// The Swift tasks of `perform` still running, by number: cancelled when the run ends or
    /// gives up on them after an interruption, so that no work outlives its run.
    private let work = Locked<(next: Int, tasks: [Int: Task<Void, Never>])>((0, [:]))

    func loop() {
        LuaInterrupt.turn {
            luaThread.withLock { $0 = pthread_self() }
            defer { luaThread.withLock { $0 = nil } }
            turn()
        }
    }

    private func turn() {
        while mainEnd == nil {
            if !ready.isEmpty {
                let batch = ready
                ready.removeAll(keepingCapacity: true)
                for (id, resumption, nargs) in batch { step(id, resumption, nargs) }
                continue
            }
            let now = monotonicNow()
            if let cancelDeadline, now >= cancelDeadline {
                mainEnd = .raised(interruptReason)
                return
            }
            let due = timers.popDue(now: now)
            if !due.isEmpty {
                for id in due { ready.append((id, .values([]), 0)) }
                continue
            }
            if suspended == 0 && timers.isEmpty {
                mainEnd = .raised("internal error: every coroutine is waiting on nothing")
                return
            }
            let wake = [timers.next, cancelDeadline].compactMap { $0 }.min()
            let (items, interrupted) = inbox.take(waitUntil: wake)
            for (id, r) in items { ready.append((id, r, 0)) }
            if interrupted, let (deadline, reason) = pendingInterrupt.withLock({ $0 }) {
                isCancelling = true
                interruptReason = reason
                cancelDeadline = deadline
            }
        }
    }

    /// Starts a coroutine for the function below `nargs` arguments on the main stack.
    @discardableResult
    func spawn(nargs: Int32, context: CoroutineContext, onFinish: @escaping (Coroutine, CoroutineEnd) -> Void)
        -> Coroutine
    {
        let L = state.L
        guard let thread = lua_newthread(L) else { fatalError("Lua could not allocate a coroutine") }
        let ref = luaL_ref(L, clawrun_registry_index())
        lua_xmove(L, thread, nargs + 1)
        nextID += 1
        let co = Coroutine(id: nextID, thread: thread, ref: ref, context: context)
        co.onFinish = onFinish
        coroutines[co.id] = co
        ready.append((co.id, nil, nargs))
        return co
    }

    private func step(_ id: Int, _ resumption: Resumption?, _ startArgs: Int32) {
        guard let co = coroutines[id] else { return }
        let thread = co.thread
        var nargs = startArgs
        if let resumption {
            suspended -= 1
            switch resumption {
            case .values(let values):
                lua_pushboolean(thread, 1)
                do {
                    try state.push(checked: values, on: thread)
                    nargs = Int32(values.count) + 1
                } catch {
                    lua_pop(thread, 1)
                    lua_pushboolean(thread, 0)
                    state.pushString(co.waitPrefix + "\(error)", on: thread)
                    nargs = 2
                }
            case .failure(let error):
                lua_pushboolean(thread, 0)
                state.pushError(error, message: error.message, context: co.context, on: thread)
                nargs = 2
            case .registryPair(let first, let second):
                lua_pushboolean(thread, 1)
                for ref in [first, second] {
                    lua_rawgeti(thread, clawrun_registry_index(), lua_Integer(ref))
                    luaL_unref(thread, clawrun_registry_index(), ref)
                }
                nargs = 3
            }
        }
        current = co
        var nres: Int32 = 0
        let rc = LuaInterrupt.resume(thread, from: nil, nargs: nargs, nres: &nres)
        current = nil
        switch rc {
        case LUA_OK:
            finish(co, .returned(count: nres))
        case LUA_YIELD:
            if nres == 1, lua_touserdata(thread, -1) == UnsafeMutableRawPointer(yieldSentinel) {
                lua_pop(thread, 1)
                suspended += 1
            } else {
                lua_pop(thread, nres)
                let msg = "coroutine.yield was called outside any coroutine of the script's own"
                luaL_traceback(state.L, thread, msg, 0)
                let text = state.errorText(at: -1, on: state.L)
                lua_pop(state.L, 1)
                finish(co, .raised(text))
            }
        default:
            let msg = state.errorText(at: -1, on: thread)
            luaL_traceback(state.L, thread, msg, 0)
            let text = state.errorText(at: -1, on: state.L)
            lua_pop(state.L, 1)
            finish(co, .raised(text))
        }
    }

    private func finish(_ co: Coroutine, _ end: CoroutineEnd) {
        coroutines[co.id] = nil
        co.onFinish?(co, end)
        co.onFinish = nil
        lua_settop(co.thread, 0)
        luaL_unref(state.L, clawrun_registry_index(), co.ref)
    }

    /// Marks the running coroutine as waiting and returns the ticket that resumes it; the host
    /// function must then return `.suspend`.
    public func suspend(_ call: HostCall) throws -> Ticket {
        guard let co = current else {
            throw HostError("cannot wait outside the workflow's scheduler")
        }
        guard lua_isyieldable(call.thread) != 0 else {
            throw HostError(
                "cannot wait here (inside a metamethod, a table.sort comparator or a string.gsub callback): "
                    + "call it from plain Lua code")
        }
        let location = state.callerLocation(call.thread)
        co.waitPrefix = "\(location)\(call.name): "
        return Ticket(inbox: inbox, coroutine: co.id, prefix: "\(location)\(call.name): ")
    }

    /// Suspends the running coroutine while `work` runs as a Swift task; the call returns its values
    /// or raises its error (a `HostError`'s message, or the error's description).
    public func perform(_ call: HostCall, _ work: @escaping @Sendable () async throws -> [LuaValue]) throws
        -> HostResult
    {
        let ticket = try suspend(call)
        let running = self.work
        running.withLock { running in
            let number = running.next
            running.next += 1
            // Inserted under the lock that the task's own removal takes, so a task that ends
            // at once is still removed after it was added.
            running.tasks[number] = Task { [running = self.work] in
                do {
                    ticket.resume(try await work())
                } catch {
                    ticket.fail(HostError.from(error))
                }
                _ = running.withLock { $0.tasks.removeValue(forKey: number) }
            }
        }
        return .suspend
    }

    /// Cancels the Swift tasks that still run for coroutines this run no longer waits for.
    private func cancelWork() {
        let tasks = work.withLock { running in
            defer { running.tasks.removeAll() }
            return Array(running.tasks.values)
        }
        for task in tasks { task.cancel() }
    }

    /// The longest `sleep`: a year, far below what the clocks could not add.
    static let maxSleep = 366.0 * 86_400

    /// Suspends the running coroutine for `seconds` on the timer heap.
    public func sleep(_ call: HostCall, seconds: Double) throws -> HostResult {
        guard seconds >= 0, seconds <= Scheduler.maxSleep else {
            throw HostError("bad argument #1 'seconds' (a number from 0 to \(Int(Scheduler.maxSleep)) expected, got \(seconds))")
        }
        let ticket = try suspend(call)
        timers.insert(deadline: monotonicNow() + seconds, coroutine: ticket.coroutine)
        return .suspend
    }

    /// Makes the running coroutine resume at once with a value from the registry (used by joins).
    func resumeSoon(_ id: Int, with resumption: Resumption) {
        ready.append((id, resumption, 0))
    }
}

/// Carries a non-Sendable value to the one thread that will use it from then on.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
