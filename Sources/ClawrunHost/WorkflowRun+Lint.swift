import ClawrunCore
import Foundation
import LuaRuntime
import Reporting

/// `clawrun check`'s look at a workflow without running it: globals it reads that neither Lua,
/// clawrun nor the workflow itself defines.
extension WorkflowRun {
    /// A global read that nothing defines, where it is first read (`description` is `LINE: text`,
    /// to follow `path:`).
    public struct UndefinedGlobal: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var line: Int
        /// The nearest defined global, when one is close (a typo).
        public var nearest: String?

        public var description: String {
            "\(line): undefined global '\(name)'" + (nearest.map { " (did you mean \($0)?)" } ?? "")
        }
    }

    /// The names a workflow finds defined when it starts: Lua's standard globals and clawrun's API.
    public static func definedGlobals(home: URL) throws -> Set<String> {
        let run = try WorkflowRun(options: RunOptions(script: URL(fileURLWithPath: "/dev/null"), home: home, environment: [:]),
                                  provider: OfflineProvider(), reporter: Reporter(redactor: SecretRedactor(), sinks: []),
                                  describing: true)
        return run.globalNames()
    }

    func globalNames() -> Set<String> {
        let names = (try? state.run("local t = {} for k in pairs(_G) do if type(k) == 'string' then t[#t + 1] = k end end return t"))?
            .first?.tableValue?.sequence.compactMap(\.stringValue) ?? []
        return Set(names).subtracting(["__params_declared"])
    }

    /// Every global read and write in `script` (compiled, not run); a syntax error throws `LuaError`.
    public static func globalAccesses(in script: URL) throws -> [GlobalAccess] {
        let state = LuaState()
        try state.loadFile(script.path)
        defer { state.setTop(0) }
        return try state.globalAccesses()
    }

    /// Compiles `script` (a syntax error throws `LuaError`) and lists the globals it reads that
    /// are not in `defined` and that it never assigns itself, each once.
    public static func undefinedGlobals(in script: URL, defined: Set<String>) throws -> [UndefinedGlobal] {
        let accesses = try globalAccesses(in: script)
        let written = Set(accesses.filter(\.isWrite).map(\.name))
        var seen: Set<String> = []
        var found: [UndefinedGlobal] = []
        for access in accesses.sorted(by: { $0.line < $1.line }) where !access.isWrite {
            guard !defined.contains(access.name), !written.contains(access.name), seen.insert(access.name).inserted else { continue }
            found.append(UndefinedGlobal(name: access.name, line: access.line,
                                         nearest: nearest(access.name, among: defined.union(written))))
        }
        return found
    }
}

extension WorkflowRun {
    /// The name closest to `name`, when it is a likely typo of it.
    static func nearest(_ name: String, among names: Set<String>) -> String? {
        var best: (name: String, distance: Int)?
        for candidate in names.sorted() {
            let d = EditDistance.between(name, candidate)
            if d <= max(2, name.count / 3), d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        return best?.name
    }
}

/// Levenshtein distance, for "did you mean" hints.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
