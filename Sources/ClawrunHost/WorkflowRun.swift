import CLua
import ClawrunCore
import Foundation
import LuaRuntime
import Reporting

/// One run of one workflow: builds the Lua state with the whole API, runs the script on the
/// scheduler's thread, and says how it ended.
public final class WorkflowRun {
    /// How a run ended, and the exit code it calls for.
    public struct Outcome: Sendable {
        public var exitCode: Int32
        /// The error that ended the run, with its traceback.
        public var error: String?
        public var duration: Double
        /// Per machine recap rows.
        public var recap: [(String, MachineTally.Row)]
    }

    let context: HostContext
    /// Whether the run stops at `params` (`clawrun describe` and `check`).
    let describing: Bool

    /// Prepares a run: a new `lua_State`, the API bound to `provider`, events to `reporter`.
    public convenience init(options: RunOptions, provider: any MachineProvider, reporter: Reporter) throws {
        try self.init(options: options, provider: provider, reporter: reporter, describing: false)
    }

    init(options: RunOptions, provider: any MachineProvider, reporter: Reporter, describing: Bool) throws {
        self.describing = describing
        let state = LuaState()
        let scheduler = try Scheduler(state: state)
        scheduler.defaultLimit = options.parallel
        context = HostContext(options: options, state: state, scheduler: scheduler, reporter: reporter,
                              provider: provider, poller: Poller(provider: provider))
        reporter.redactor.add(environment: options.environment)
        try installAPI()
    }

    /// The Lua state, for tests that call bindings directly.
    public var state: LuaState { context.state }

    private func installAPI() throws {
        let c = context
        c.registerBasics()
        c.registerMachines()
        c.registerExec()
        c.registerOpenClaw()
        c.registerChat()
        c.registerLoadTest()
        c.registerTokenStore()
        c.registerEnvironment()
        c.registerOutput()
        c.registerFiles()
        c.registerSelection()
        c.state.setGlobal("__show_diff", .boolean(c.options.showDiff))
        try c.state.run(HostPrelude.source, chunkName: HostPrelude.chunkName)
        if describing { c.state.setGlobal("__params_describe", .string(WorkflowRun.describeStop)) }
        try c.state.run(ParamsPrelude.source, chunkName: ParamsPrelude.chunkName)
        setPackagePath()
        c.scheduler.parallelObserver = c.fleet
        c.scheduler.labelForItem = { item in
            if case .table(let t) = item, case .string(let id)? = t["id"] { return id }
            return nil
        }
        c.scheduler.onCoroutineError = { [unowned c] context, message in
            c.reporter.recordFailure()
            c.reporter.log("error", message, step: context.steps.isEmpty ? nil : context.steps.joined(separator: "/"),
                           machine: context.label)
            if let machine = context.label {
                c.tally.failed(machine: machine, error: String(message.split(separator: "\n").first ?? ""))
            }
        }
    }

    /// The run's fleet figures, for the progress line.
    public var fleet: FleetMonitor { context.fleet }

    /// Stops the run from another thread (a signal handler): no new `parallel` item starts, work in
    /// flight gets `grace` seconds to end, then the run fails; it exits `exitCode` whatever the
    /// work left did, so that cron and shells see how it ended.
    public func interrupt(grace: Double, reason: String, exitCode: Int32) {
        interrupter.interrupt(grace: grace, reason: reason, exitCode: exitCode)
    }

    /// A handle that interrupts this run from any thread.
    public var interrupter: Interrupter {
        Interrupter(reporter: context.reporter, scheduler: context.scheduler.interrupter, exit: interruptExit)
    }

    /// Interrupts a run from any thread: see `WorkflowRun.interrupt(grace:reason:exitCode:)`.
    public struct Interrupter: Sendable {
        fileprivate let reporter: Reporter
        fileprivate let scheduler: Scheduler.Interrupter
        fileprivate let exit: Locked<Int32?>

        /// Interrupts the run, as `WorkflowRun.interrupt(grace:reason:exitCode:)` does.
        public func interrupt(grace: Double, reason: String, exitCode: Int32) {
            exit.withLock { $0 = exitCode }
            reporter.log("warn", "\(reason): starting no new work; waiting up to "
                         + String(format: "%g", grace) + " s for work in flight")
            scheduler.interrupt(grace: grace, reason: reason)
        }
    }

    private let interruptExit = Locked<Int32?>(nil)

    /// `require`'s search path: `--plugins` and CLAWRUN_PATH folders, the workflow's own
    /// `plugins/`, then CLAWRUN_HOME/plugins and the bundled plugins, then what Lua itself set from
    /// LUA_PATH/LUA_CPATH (or its defaults), so that LuaRocks modules, Lua or C, load too.
    private func setPackagePath() {
        let options = context.options
        let beside = options.script.deletingLastPathComponent().appendingPathComponent("plugins")
        let dirs = options.userPluginDirectories + [beside] + options.pluginDirectories
        let L = context.state.L
        lua_getglobal(L, "package")
        for (field, patterns) in [("path", ["?.lua", "?/init.lua"]), ("cpath", ["?.so"])] {
            lua_getfield(L, -1, field)
            let inherited = context.state.string(at: -1, on: L) ?? ""
            lua_pop(L, 1)
            let ours = dirs.flatMap { dir in patterns.map { "\(dir.path)/\($0)" } }
            let path = (ours + (inherited.isEmpty ? [] : [inherited])).joined(separator: ";")
            context.state.pushString(path, on: L)
            lua_setfield(L, -2, field)
        }
        lua_pop(L, 1)
    }

    /// Compiles a workflow without running it; a syntax error throws `LuaError`.
    public static func check(_ script: URL) throws {
        let state = LuaState()
        try state.loadFile(script.path)
    }

    /// Runs the workflow to its end.
    public func execute() async -> Outcome {
        let c = context
        let start = Date().timeIntervalSince1970
        do {
            try c.state.loadFile(c.options.script.path)
        } catch {
            let message = c.reporter.redactor.redact("\(error)")
            c.reporter.emit(RunEvent("result", fields: [("status", .string("invalid")), ("exit_code", .int(2)),
                                                        ("error", .string(message))]))
            return Outcome(exitCode: 2, error: message, duration: 0, recap: [])
        }
        var startFields: [(String, JSONValue)] = [("workflow", .string(c.options.script.path)),
                                                  ("provider", .string(c.provider.name))]
        if let shard = c.options.shard { startFields.append(("shard", .string(shard.description))) }
        if let record = c.options.recordPath { startFields.append(("record", .string(record))) }
        c.reporter.emit(RunEvent("run_start", fields: startFields))
        let result = await c.scheduler.runOnOwnThread()
        let (failures, requested, failedExit) = c.reporter.state
        var exitCode: Int32 = failures > 0 ? 1 : 0
        var errorText: String?
        var fields: [(String, JSONValue)] = []
        switch result {
        case .success(let values):
            if let first = values.first, first != .nil { fields.append(("value", WorkflowRun.json(first))) }
        case .failure(let error):
            exitCode = 1
            errorText = c.reporter.redactor.redact(error.message)
        }
        if let failedExit, exitCode != 0 { exitCode = failedExit }
        if let requested, exitCode != 0 || requested != 0 { exitCode = requested }
        let interrupted = interruptExit.withLock { $0 }
        if let interrupted { exitCode = interrupted }
        let duration = Date().timeIntervalSince1970 - start
        var summary: [(String, JSONValue)] = [("status", .string(exitCode == 0 ? "ok" : interrupted != nil ? "interrupted" : "failed")),
                                              ("exit_code", .int(Int64(exitCode))), ("duration", .double(duration))]
        if let errorText { summary.append(("error", .string(errorText))) }
        c.reporter.emit(RunEvent("result", fields: summary + fields))
        c.reporter.emit(Recap.event(tally: c.tally, created: c.fleet.createdMachines, exitCode: exitCode, duration: duration,
                                    record: c.options.recordPath,
                                    throttle: (c.provider as? ThrottleReporting)?.throttleReport,
                                    checkOnly: c.options.checkOnly))
        return Outcome(exitCode: exitCode, error: errorText, duration: duration, recap: c.tally.snapshot)
    }

    /// A workflow's return value as the `result` event's value. Unlike `json.encode`, which
    /// refuses them, a table with both a list part and fields keeps both: the list items under
    /// "1", "2", ... before the fields.
    static func json(_ v: LuaValue) -> JSONValue {
        switch v {
        case .nil: return .null
        case .boolean(let b): return .bool(b)
        case .integer(let i): return .int(i)
        case .number(let d): return .double(d)
        case .string(let s): return .string(s)
        case .table(let t):
            if t.fields.isEmpty { return .array(t.sequence.map(json)) }
            let items = t.sequence.enumerated().map { (String($0.offset + 1), json($0.element)) }
            return .object(items + t.fields.map { ($0.0, json($0.1)) })
        }
    }
}
