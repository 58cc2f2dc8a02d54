import ClawrunCore
import Testing

/// Sources/ClawrunCore/TerminalText.swift, Execution.swift `validate` and
/// JSONValue+Serialization.swift: bytes from outside cannot drive a terminal or cut a command.
@Suite struct TerminalTextTests {
    @Test func controlCharactersAndEscapesAreWrittenOut() {
        #expect(TerminalText.escape("plain\ttext\nnext") == "plain\ttext\nnext")
        #expect(TerminalText.escape("\u{1B}[31mred\u{1B}]0;title\u{07}\r\u{7F}\u{9B}2J")
                == "\\x1b[31mred\\x1b]0;title\\x07\\x0d\\x7f\\x9b2J")
        #expect(TerminalText.escape("é😀") == "é😀")
    }

    @Test func jsonTextEscapesDELAndC1Too() throws {
        let text = JSONValue.string("a\u{1B}b\u{7F}c\u{9B}d").compactText
        #expect(text == "\"a\\u001bb\\u007fc\\u009bd\"")
        #expect(try JSONValue.parse(text) == .string("a\u{1B}b\u{7F}c\u{9B}d"))
    }

    @Test func commandsWithNULOrBadEnvNamesAreRefused() throws {
        try ExecRequest(command: ["/bin/echo", "ok"], env: ["A_B": "c=d"]).validate()
        let bad: [(ExecRequest, String)] = [
            (ExecRequest(command: ["/bin/echo", "a\u{0}b"]), "argument 2 holds a NUL byte"),
            (.shell("echo a\u{0}; rm -rf /"), "argument 3 holds a NUL byte"),
            (ExecRequest(command: ["/bin/true"], cwd: "/tmp\u{0}x"), "the cwd holds a NUL byte"),
            (ExecRequest(command: ["/bin/true"], env: ["A=B": "x"]), "env name 'A=B' is not a variable name"),
            (ExecRequest(command: ["/bin/true"], env: ["": "x"]), "env name '' is not a variable name"),
            (ExecRequest(command: ["/bin/true"], env: ["A\u{0}": "x"]), "env name 'A\\x00' is not a variable name"),
            (ExecRequest(command: ["/bin/true"], env: ["KEY": "a\u{0}b"]), "the value of env 'KEY' holds a NUL byte"),
        ]
        for (request, message) in bad {
            do {
                try request.validate()
                Issue.record("accepted \(request)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
