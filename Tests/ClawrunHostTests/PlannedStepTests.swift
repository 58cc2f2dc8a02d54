import ClawrunCore
import ClawrunHost
import ClawrunTestSupport
import Foundation
import Reporting
import Testing

/// `step(name, {check, apply, diff})`: apply runs only when check says a change is needed, and
/// never under `--check`; the step's status and `change` say what happened.
@Suite struct PlannedStepTests {
    static let flow = """
        local applied = {}
        local function thing(name, needed)
          return step(name, {
            check = function() return needed, name .. " differs", {name = name} end,
            diff = function(plan) return {plan.name .. ": old -> new"} end,
            apply = function(plan) applied[#applied + 1] = plan.name; return "applied " .. plan.name end,
          })
        end
        local a, b = thing("same", false), thing("differs", true)
        return {applied = applied, a = a and a.name, b = type(b) == "string" and b or b.name, checking = checking()}
        """

    func run(check: Bool, diff: Bool = false, _ source: String = PlannedStepTests.flow) async throws
        -> (WorkflowRun.Outcome, [RunEvent])
    {
        let box = try Sandbox()
        let script = try box.write("flow.lua", source)
        var options = RunOptions(script: script, home: box.root.appendingPathComponent("home"), environment: [:])
        options.checkOnly = check
        options.showDiff = diff
        let sink = MemorySink()
        let run = try WorkflowRun(options: options, provider: StubProvider([]),
                                  reporter: Reporter(redactor: SecretRedactor(), sinks: [sink]))
        return (await run.execute(), sink.events)
    }

    @Test func applyRunsOnlyWhenCheckSaysAChangeIsNeeded() async throws {
        let (outcome, events) = try await run(check: false)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let value = events.last { $0.event == "result" }?["value"]
        #expect(value?["applied"] == .array([.string("differs")]))
        #expect(value?["a"] == .string("same") && value?["b"] == .string("applied differs"))
        let ends = events.filter { $0.event == "step_end" }
        #expect(ends.map { $0["status"]?.stringValue } == ["ok", "changed"])
        #expect(ends.last?["change"] == .string("differs differs"))
        #expect(!events.contains { $0["message"]?.stringValue?.hasPrefix("diff:") == true })
    }

    @Test func underCheckNoApplyRunsAndTheStepWouldChange() async throws {
        let (outcome, events) = try await run(check: true, diff: true)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let value = events.last { $0.event == "result" }?["value"]
        #expect(value?["applied"] == .array([]) && value?["checking"] == .bool(true))
        #expect(value?["b"] == .string("differs"))
        #expect(events.filter { $0.event == "step_end" }.map { $0["status"]?.stringValue } == ["ok", "would_change"])
        #expect(events.contains { $0["message"]?.stringValue == "diff: differs: old -> new" })
        #expect(events.last { $0.event == "recap" }?["check"] == .bool(true))
    }

    @Test(arguments: [("{check = function() end}", "the table's 'apply' must be a function, got nil"),
                      ("{check = 1, apply = print}", "the table's 'check' must be a function, got number"),
                      ("{check = print, apply = print, aply = 1}", "unknown key 'aply' (known: apply, check, diff; or verify alone)"),
                      ("{verify = print, apply = print}", "a read-only step takes 'verify' alone, not 'apply'"),
                      ("{verify = 1}", "the table's 'verify' must be a function, got number")])
    func aMalformedStepTableIsNamed(table: String, message: String) async throws {
        let (outcome, _) = try await run(check: false, "step('x', \(table))")
        #expect(outcome.exitCode == 1)
        #expect(outcome.error?.contains("flow.lua:1: step: \(message)") == true, "\(outcome.error ?? "")")
    }

    /// A plain step cannot say what it would change, so `--check` refuses to run it: a dry run of
    /// a workflow not written for one fails before that step instead of changing machines.
    @Test func aPlainStepIsRefusedUnderCheckAndItsBodyNeverRuns() async throws {
        let (outcome, events) = try await run(check: true, """
            ran = false
            local ok, err = pcall(step, "install", function() ran = true end)
            return {ok = ok, err = tostring(err), ran = ran}
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let value = events.last { $0.event == "result" }?["value"]
        #expect(value?["ok"] == .bool(false) && value?["ran"] == .bool(false))
        #expect(value?["err"]?.stringValue?.contains("step 'install' cannot run under --check") == true, "\(String(describing: value))")
        let (normal, normalEvents) = try await run(check: false, "ran = false; step('install', function() ran = true end); return ran")
        #expect(normal.exitCode == 0 && normalEvents.last { $0.event == "result" }?["value"] == .bool(true))
    }

    /// `{verify = fn}` only reads, so it runs under `--check` as in a real run, until an earlier
    /// step would change something: then it is skipped (what it would verify is not what the real
    /// run leaves), per machine, and each machine's own earlier steps decide.
    @Test func aReadOnlyStepRunsUnderCheckUntilAnEarlierStepWouldChange() async throws {
        let flow = """
            local seen = {}
            local function verify(name) return step(name, {verify = function() seen[#seen + 1] = name; return name end}) end
            local first = verify("before")
            step("change", {check = function() return true, "something" end, apply = function() end})
            local second = verify("after")
            local probes = parallel({{id = "a"}, {id = "b"}}, function(m)
              if m.id == "a" then step("change", {check = function() return true, "a differs" end, apply = function() end}) end
              return step("probe", {verify = function() return "verified" end}) or "skipped"
            end)
            return {seen = seen, first = first, second = second or "none", a = probes[1].value, b = probes[2].value}
            """
        let (checked, events) = try await run(check: true, flow)
        #expect(checked.exitCode == 0, "\(checked.error ?? "")")
        let value = events.last { $0.event == "result" }?["value"]
        #expect(value?["seen"] == .array([.string("before")]) && value?["second"] == .string("none"))
        #expect(value?["a"] == .string("skipped") && value?["b"] == .string("verified"))
        #expect(events.filter { $0.event == "step_end" && $0.machine == nil }.map { $0["status"]?.stringValue } == ["ok", "would_change", "skipped"])
        #expect(events.contains { $0["message"]?.stringValue?.contains("not run under --check: an earlier step of this machine would change what it reads") == true })
        #expect(events.last { $0.event == "recap" }?["would_change"] == .array([.string("something")]))
        let (real, realEvents) = try await run(check: false, flow)
        #expect(real.exitCode == 0, "\(real.error ?? "")")
        #expect(realEvents.last { $0.event == "result" }?["value"]?["seen"] == .array([.string("before"), .string("after")]))
    }
}
