import CLua

/// `parallel(items, fn, {limit = N})`: runs `fn(item)` in its own coroutine for every item, at most
/// N at once, and returns every item's outcome, in order, without stopping at the first error.
extension Scheduler {
    /// The longest list `parallel` takes: far more than any fleet, far less than a table whose
    /// border is 2^40 (a few entries at powers of two) would make it walk.
    static let maxParallelItems = 10_000_000

    final class ParallelJob {
        let parent: Int
        let parentContext: CoroutineContext
        let total: Int
        let limit: Int
        let itemsRef: Int32
        let fnRef: Int32
        let resultsRef: Int32
        var next = 1
        var done = 0
        var failed = 0
        var skipped = 0
        /// Set once an item was refused: every later item of the job is skipped with this reason.
        var stopReason: String?
        /// Set when the caller was resumed, so that no later `startNext` resumes it twice.
        var finished = false

        init(parent: Int, parentContext: CoroutineContext, total: Int, limit: Int, itemsRef: Int32, fnRef: Int32,
             resultsRef: Int32) {
            self.parent = parent
            self.parentContext = parentContext
            self.total = total
            self.limit = limit
            self.itemsRef = itemsRef
            self.fnRef = fnRef
            self.resultsRef = resultsRef
        }
    }

    /// The host function behind `parallel`. Each outcome is `{ok = true, value = first, values = {...}}`,
    /// `{ok = false, error = message}`, or for an item never started (interrupted run, failure
    /// policy) `{ok = false, skipped = true, error = "skipped: why"}`; a second result counts
    /// `{total, ok, failed, skipped}`.
    public func parallel(_ call: inout HostCall) throws -> HostResult {
        try call.checkTable(1, "items")
        try call.checkFunction(2, "fn")
        let options = try call.optionalTable(3, "options")
        try options?.checkKeys(["limit"])
        var limit = defaultLimit
        if let l = try options?.number("limit") {
            guard l >= 1, l == l.rounded(), l < 1e9 else {
                throw HostError("option 'limit' must be a whole number of at least 1, got \(l)")
            }
            limit = Int(l)
        }
        let thread = call.thread
        let total = Int(lua_rawlen(thread, 1))
        guard total <= Scheduler.maxParallelItems else {
            throw HostError("bad argument #1 'items' (a list of at most \(Scheduler.maxParallelItems) items expected, "
                + "got one of length \(total))")
        }
        let registry = clawrun_registry_index()
        if total == 0 {
            lua_createtable(thread, 0, 0)
            state.push(.table(LuaTable([("failed", 0), ("ok", 0), ("skipped", 0), ("total", 0)])), on: thread)
            return .pushed(2)
        }
        let ticket = try suspend(call)
        lua_pushvalue(thread, 1)
        let itemsRef = luaL_ref(thread, registry)
        lua_pushvalue(thread, 2)
        let fnRef = luaL_ref(thread, registry)
        lua_createtable(thread, Int32(total), 0)
        let resultsRef = luaL_ref(thread, registry)
        let job = ParallelJob(parent: ticket.coroutine, parentContext: current?.context ?? CoroutineContext(),
                              total: total, limit: limit, itemsRef: itemsRef, fnRef: fnRef, resultsRef: resultsRef)
        for _ in 0..<min(limit, total) { startNext(job) }
        return .suspend
    }

    private func startNext(_ job: ParallelJob) {
        let L = state.L
        let registry = clawrun_registry_index()
        while job.next <= job.total {
            let index = job.next
            lua_rawgeti(L, registry, lua_Integer(job.itemsRef))
            lua_rawgeti(L, -1, lua_Integer(index))
            let label = labelForItem?(state.value(at: -1, on: L))
            lua_pop(L, 2)
            if isCancelling && job.stopReason == nil { job.stopReason = "the run was interrupted" }
            if job.stopReason == nil {
                job.stopReason = parallelObserver?.reasonToSkip(label: label, jobTotal: job.total)
            }
            guard let reason = job.stopReason else {
                start(job, index: index, label: label)
                return
            }
            record(job, index: index, ok: false, message: "skipped: \(reason)", from: nil, count: 0, skipped: true)
            parallelObserver?.itemSkipped(label: label, reason: reason)
            job.skipped += 1
            job.next += 1
            job.done += 1
        }
        finishIfDone(job)
    }

    private func start(_ job: ParallelJob, index: Int, label: String?) {
        let L = state.L
        let registry = clawrun_registry_index()
        job.next += 1
        lua_rawgeti(L, registry, lua_Integer(job.fnRef))
        lua_rawgeti(L, registry, lua_Integer(job.itemsRef))
        lua_rawgeti(L, -1, lua_Integer(index))
        lua_remove(L, -2)
        var context = job.parentContext
        if let label { context.label = label }
        parallelObserver?.itemStarted(label: label)
        spawn(nargs: 1, context: context) { [unowned self] co, end in
            switch end {
            case .returned(let count):
                self.record(job, index: index, ok: true, message: nil, from: co.thread, count: count)
                self.parallelObserver?.itemEnded(label: label, error: nil)
            case .raised(let message):
                job.failed += 1
                self.onCoroutineError?(co.context, message)
                self.record(job, index: index, ok: false, message: message, from: nil, count: 0)
                self.parallelObserver?.itemEnded(label: label, error: message)
            }
            job.done += 1
            self.startNext(job)
        }
    }

    private func finishIfDone(_ job: ParallelJob) {
        guard job.done == job.total, !job.finished else { return }
        job.finished = true
        let L = state.L
        let registry = clawrun_registry_index()
        luaL_unref(L, registry, job.itemsRef)
        luaL_unref(L, registry, job.fnRef)
        lua_rawgeti(L, registry, lua_Integer(job.resultsRef))
        luaL_unref(L, registry, job.resultsRef)
        let summary = LuaTable([
            ("failed", .integer(Int64(job.failed))),
            ("ok", .integer(Int64(job.total - job.failed - job.skipped))),
            ("skipped", .integer(Int64(job.skipped))),
            ("total", .integer(Int64(job.total))),
        ])
        state.push(.table(summary), on: L)
        let summaryRef = luaL_ref(L, registry)
        let resultsRef = luaL_ref(L, registry)
        resumeSoon(job.parent, with: .registryPair(resultsRef, summaryRef))
    }

    /// Stores outcome `index`; on success the coroutine's `count` results are moved off its stack.
    private func record(_ job: ParallelJob, index: Int, ok: Bool, message: String?, from thread: OpaquePointer?,
                        count: Int32, skipped: Bool = false) {
        let L = state.L
        lua_rawgeti(L, clawrun_registry_index(), lua_Integer(job.resultsRef))
        lua_createtable(L, 0, 3)
        lua_pushboolean(L, ok ? 1 : 0)
        lua_setfield(L, -2, "ok")
        if skipped {
            lua_pushboolean(L, 1)
            lua_setfield(L, -2, "skipped")
        }
        if let message {
            state.pushString(message, on: L)
            lua_setfield(L, -2, "error")
        }
        if let thread {
            lua_createtable(L, count, 0)
            if count > 0 {
                lua_xmove(thread, L, count)
                let base = lua_gettop(L) - count
                lua_pushvalue(L, base + 1)
                lua_setfield(L, base - 1, "value")
                for k in stride(from: count, through: 1, by: -1) {
                    lua_rawseti(L, base, lua_Integer(k))
                }
            }
            lua_setfield(L, -2, "values")
        }
        lua_rawseti(L, -2, lua_Integer(index))
        lua_pop(L, 1)
    }
}
