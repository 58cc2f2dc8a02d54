import ClawrunCore
import ClawrunTestSupport
import Foundation
import Testing
@testable import ClawrunHost
import Reporting

/// `output.table`: the rows a person reads aligned, and under `--json` the same rows as a `table` event.
@Suite struct OutputTableTests {
    @Test func jsonCarriesTheRowsAndColumns() async throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write("flow.lua", """
            output.table({{machine = "dm-1", up = true, n = 3}, {machine = "dm-2", up = false}}, {"machine", "up", "n"})
            """)
        let sink = MemorySink()
        let options = RunOptions(script: script, home: sandbox.root.appendingPathComponent("home"), json: true)
        let run = try WorkflowRun(options: options, provider: StubProvider([]),
                                  reporter: Reporter(redactor: SecretRedactor(), sinks: [sink]))
        let outcome = await run.execute()
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let table = try #require(sink.events.first { $0.event == "table" })
        #expect(table["columns"] == .array([.string("machine"), .string("up"), .string("n")]))
        #expect(table["rows"] == .array([
            .object([("machine", .string("dm-1")), ("up", .bool(true)), ("n", .int(3))]),
            .object([("machine", .string("dm-2")), ("up", .bool(false)), ("n", .null)]),
        ]))
    }

    @Test func cellsAlignAndSayMissingValuesPlainly() {
        let rows = [["MACHINE", "UP", "N"], ["dm-1", HostContext.cell(.boolean(true)), HostContext.cell(.integer(3))],
                    ["dm-22", HostContext.cell(nil), HostContext.cell(.string("a\nb"))]]
        #expect(OutputTable.render(rows) == "MACHINE  UP   N\ndm-1     yes  3\ndm-22    -    a b\n")
    }

    @Test func badArgumentsNameWhatIsWrong() async throws {
        let (outcome, _) = try await Sandbox().run("output.table({{a = 1}}, {})")
        #expect(outcome.error?.contains("at least one column name") == true)
        let (second, _) = try await Sandbox().run("output.table({1}, {'a'})")
        #expect(second.error?.contains("a list of tables expected, item 1 is a number") == true)
    }
}
