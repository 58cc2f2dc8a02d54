import Foundation
import LuaRuntime

/// One parameter a workflow declares with `params`: what `clawrun describe` prints.
public struct WorkflowParameter: Sendable, Equatable {
    public var name: String
    /// integer, number, boolean, duration, choice or string.
    public var kind: String
    /// The default as written in the declaration ("" for an unset string).
    public var defaultText: String
    /// The choices of a `choice` parameter, the default first.
    public var choices: [String]
    public var doc: String?

    /// The type as the user writes values: `one of a|b` for a choice.
    public var typeText: String { kind == "choice" ? "one of " + choices.joined(separator: "|") : kind }

    /// Reads one entry of the prelude's `__params_declared` table.
    init(name: String, spec: LuaTable) {
        self.name = name
        kind = spec["kind"].flatMap(\.stringValue) ?? "string"
        switch spec["default"] {
        case .integer(let i)?: defaultText = String(i)
        case .number(let d)?: defaultText = String(d)
        case .boolean(let b)?: defaultText = String(b)
        case .string(let s)?: defaultText = s
        default: defaultText = ""
        }
        choices = spec["choices"].flatMap(\.tableValue)?.sequence.compactMap(\.stringValue) ?? []
        doc = spec["doc"].flatMap(\.stringValue)
    }

    /// The parameters as an aligned table, one per line: name, type, default, doc.
    public static func table(_ parameters: [WorkflowParameter]) -> String {
        let rows = parameters.map { p in
            [p.name, p.typeText, p.kind == "string" && p.defaultText.isEmpty ? "(unset)" : p.defaultText, p.doc ?? ""]
        }
        let header = ["PARAMETER", "TYPE", "DEFAULT", "DESCRIPTION"]
        let widths = (0..<3).map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + "  " + row[3]
        }.map { $0.trimmingTrailingSpaces }.joined(separator: "\n")
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
