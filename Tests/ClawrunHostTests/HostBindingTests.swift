import ClawrunCore
import ClawrunTestSupport
import Foundation
import MemoryMachines
import Testing

/// exec, chat and the openclaw bindings end to end through a run, on the shared fake provider
/// (a MemoryProvider whose executions a function answers): Lua in, argv out, parsed output back.
@Suite struct HostBindingTests {
    static let machine = """
        local m = machine.create{}
        wait_phase(m, "running")
        """

    func value(_ events: [RunEvent]) -> [JSONValue] {
        events.last { $0.event == "result" }?["value"]?.arrayValue ?? []
    }

    @Test func execReturnsStdoutAndRaisesOnAFailedCommandUnlessTold() async throws {
        let (outcome, events) = try await Sandbox().run(Self.machine + """
            local out, r = exec(m, {"/bin/echo", "hello"})
            local ok, err = pcall(exec, m, "echo partial && exit 3")
            local _, r3 = exec(m, "exit 4", {check = false})
            return {out, r.exit_code, r.status, ok, tostring(err), r3.exit_code, r3.status}
            """, provider: TinyShell.provider())
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let v = value(events)
        try #require(v.count == 7, "\(v)")
        #expect(v[0] == .string("hello") && v[1] == .int(0) && v[2] == .string("succeeded"), "\(v)")
        #expect(v[3] == .bool(false))
        #expect(v[4].stringValue?.contains("exec: command exited with status 3 on dm-") == true, "\(v[4])")
        #expect(v[5] == .int(4) && v[6] == .string("failed"))
    }

    /// The gateway's replies as curl prints them with clawrun's write-out trailer.
    static func curl(status: Int, body: String) -> ExecTable.Entry {
        ExecTable.Entry(command: "curl", stdout: body + "\n\(CurlWriteOut.marker) \(status) 0.010\n")
    }

    static func chatProvider(status: Int, body: String) -> MemoryProvider {
        MemoryProvider(executionsKept: .max) { argv in
            argv.first?.hasSuffix("/curl") == true ? curl(status: status, body: body) : TinyShell.answer(argv)
        }
    }

    @Test func chatReturnsTheReplyAndMasksTheToken() async throws {
        let body = #"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi there"},"finish_reason":"stop"}]}"#
        let (outcome, events) = try await Sandbox().run(Self.machine + """
            local reply, response = chat(m, "hello", {token = "tok-secret-4242"})
            log.info("sent with tok-secret-4242")
            return {reply, response.object}
            """, provider: Self.chatProvider(status: 200, body: body))
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(value(events) == [.string("hi there"), .string("chat.completion")])
        let all = events.map { $0.json.compactText }.joined()
        #expect(!all.contains("tok-secret-4242"), "the token reached an event")
    }

    /// The gateway's own 401 (src/gateway/http-common.ts: `unauthorized`) is told apart from a
    /// provider's (`authentication_error`).
    @Test(arguments: [("unauthorized", "rejected the token"), ("authentication_error", "the LLM provider refused")])
    func chatNamesWhichSideRefused(type: String, expected: String) async throws {
        let body = #"{"error":{"message":"nope","type":"\#(type)"}}"#
        let (outcome, _) = try await Sandbox().run(Self.machine + "chat(m, 'hello', {token = 'tok'})",
                                                   provider: Self.chatProvider(status: 401, body: body))
        #expect(outcome.exitCode == 1)
        #expect(outcome.error?.contains(expected) == true, "\(outcome.error ?? "")")
    }

    @Test func configSetSendsTheValueOnStdinAndMasksASecretOne() async throws {
        let seen = Locked<[[String]]>([])
        let provider = MemoryProvider(executionsKept: .max) { argv in
            seen.withLock { $0.append(argv) }
            return ExecTable.Entry(command: argv.joined(separator: " "))
        }
        let (outcome, events) = try await Sandbox().run(Self.machine + """
            openclaw.config_set(m, "gateway.auth.token", "gw-token-777777")
            log.info("the token is gw-token-777777")
            """, provider: provider)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let argvs = seen.withLock { $0 }
        let set = try #require(argvs.first { $0.contains("gateway.auth.token") }, "\(argvs)")
        #expect(set.first == "/bin/bash" && set.last?.hasPrefix("/") == true, "\(set)")
        #expect(!set.joined().contains("gw-token-777777"), "the value travelled on the command line")
        let logged = events.filter { $0.event == "log" }.compactMap { $0["message"]?.stringValue }
        #expect(logged.contains { $0.hasPrefix("the token is ") && !$0.contains("gw-token-777777") }, "\(logged)")
    }

    @Test func openclawRunRaisesWithTheCommandsOutputWhenItFails() async throws {
        let provider = MemoryProvider(executionsKept: .max) { argv in
            ExecTable.Entry(command: argv.joined(separator: " "), exitCode: 1, stderr: "Error: unknown command 'bogus'\n")
        }
        let (outcome, _) = try await Sandbox().run(Self.machine + "openclaw.run(m, {'bogus'})", provider: provider)
        #expect(outcome.exitCode == 1)
        #expect(outcome.error?.contains("unknown command 'bogus'") == true, "\(outcome.error ?? "")")
    }
}
