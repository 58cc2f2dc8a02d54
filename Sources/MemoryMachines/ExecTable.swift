import ClawrunCore
import Foundation

/// How the memory backend answers executions: a small scripted table of commands with their exit
/// code, output and duration, read from JSON such as
/// `[{"command": "true"}, {"prefix": "cat ", "stdout": "hello\n", "duration_ms": 20}, {"prefix": "", "exit_code": 1}]`.
/// A command is the `/bin/bash -c` line, or the argv joined by spaces; the first entry whose
/// `command` equals it or whose `prefix` starts it answers.
public struct ExecTable: Sendable, Equatable {
    /// One scripted answer.
    public struct Entry: Sendable, Equatable, Decodable {
        public var command: String?
        public var prefix: String?
        public var exitCode: Int
        public var stdout: String
        public var stderr: String
        public var durationMs: Int

        /// Makes an entry; with neither `command` nor `prefix` it matches nothing.
        public init(command: String? = nil, prefix: String? = nil, exitCode: Int = 0, stdout: String = "",
                    stderr: String = "", durationMs: Int = 0) {
            self.command = command
            self.prefix = prefix
            self.exitCode = exitCode
            self.stdout = stdout
            self.stderr = stderr
            self.durationMs = durationMs
        }

        private enum CodingKeys: String, CodingKey {
            case command, prefix, exitCode = "exit_code", stdout, stderr, durationMs = "duration_ms"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            command = try c.decodeIfPresent(String.self, forKey: .command)
            prefix = try c.decodeIfPresent(String.self, forKey: .prefix)
            exitCode = try c.decodeIfPresent(Int.self, forKey: .exitCode) ?? 0
            stdout = try c.decodeIfPresent(String.self, forKey: .stdout) ?? ""
            stderr = try c.decodeIfPresent(String.self, forKey: .stderr) ?? ""
            durationMs = try c.decodeIfPresent(Int.self, forKey: .durationMs) ?? 0
        }

        func matches(_ line: String) -> Bool {
            if let command, command == line { return true }
            if let prefix, line.hasPrefix(prefix) { return true }
            return false
        }
    }

    public var entries: [Entry]

    /// A table; the default answers every command at once with exit code 0 and no output.
    public init(entries: [Entry] = [Entry(prefix: "")]) { self.entries = entries }

    /// Reads a table from a JSON file; errors name the file and what is wrong.
    public static func load(path: String) throws -> ExecTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClawrunError.usage("--exec-table \(path): cannot read the file")
        }
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: data)
        } catch {
            throw ClawrunError.usage("--exec-table \(path) is not a JSON array of {command|prefix, exit_code, stdout, stderr, duration_ms}")
        }
        for (i, e) in entries.enumerated() {
            guard e.command != nil || e.prefix != nil else {
                throw ClawrunError.usage("--exec-table \(path): entry \(i + 1) has neither \"command\" nor \"prefix\"")
            }
            guard (0...255).contains(e.exitCode), (0...86_400_000).contains(e.durationMs) else {
                throw ClawrunError.usage("--exec-table \(path): entry \(i + 1) needs exit_code 0-255 and duration_ms 0-86400000")
            }
        }
        return ExecTable(entries: entries)
    }

    /// The answer for an argv: the first matching entry, else exit 127 saying the table has none.
    public func answer(_ argv: [String]) -> Entry {
        let line = argv.count == 3 && argv[1] == "-c" ? argv[2] : argv.joined(separator: " ")
        if let entry = entries.first(where: { $0.matches(line) }) { return entry }
        return Entry(command: line, exitCode: 127,
                     stderr: "clawrun serve --machines-backend memory: no entry of the exec table matches this command\n")
    }
}
