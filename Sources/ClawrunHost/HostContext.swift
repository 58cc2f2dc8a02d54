import ClawrunCore
import Foundation
import LuaRuntime
import Reporting

/// What every binding of one run shares: the Lua state and its scheduler, the provider and its
/// poller, the reporter, the token store and the run's options. Touched only on the Lua thread,
/// except for the thread-safe reporter, provider and tally.
public final class HostContext {
    public let options: RunOptions
    public let state: LuaState
    public let scheduler: Scheduler
    public let reporter: Reporter
    public let provider: any MachineProvider
    public let poller: Poller
    public let tokens: TokenStore
    /// Per machine counters for the recap.
    public let tally = MachineTally()
    /// Targets, progress, the failure policy and created machines.
    public let fleet: FleetMonitor
    var frames: [Int: [StepFrame]] = [:]
    /// Under `--check`, the machines (`""` for steps outside any) of which a step would change
    /// something: their later read-only steps would verify a state the real run does not leave.
    var plannedChanges: Set<String> = []

    /// One `step` in progress in one coroutine (its name is on the coroutine's context.steps).
    struct StepFrame {
        var start: Double
        var status: String = "ok"
        /// What a check/apply step changed, or would change under `--check`.
        var change: String?
    }

    init(options: RunOptions, state: LuaState, scheduler: Scheduler, reporter: Reporter,
         provider: any MachineProvider, poller: Poller) {
        self.options = options
        self.state = state
        self.scheduler = scheduler
        self.reporter = reporter
        self.provider = provider
        self.poller = poller
        self.tokens = TokenStore(home: options.home)
        fleet = FleetMonitor(tally: tally, policy: options.failurePolicy, reporter: reporter)
    }

    /// The step path and machine of the running coroutine, for events.
    var location: (step: String?, machine: String?) {
        let context = scheduler.current?.context ?? CoroutineContext()
        return (context.steps.isEmpty ? nil : context.steps.joined(separator: "/"), context.label)
    }

    /// Logs at a level from the running coroutine's place.
    func log(_ level: String, _ message: String) {
        let (step, machine) = location
        reporter.log(level, message, step: step, machine: machine)
    }
}
