import ClawrunCore
import Foundation
import LuaRuntime

/// `output.table(rows, columns)`: a report as a table, aligned on stdout for a person and, under
/// `--json`, a `table` event (`columns` and `rows`) so that scripts read the same figures. Cells
/// come from machines and gateways, so they are masked and made safe for a terminal.
extension HostContext {
    func registerOutput() {
        state.register("output.table") { [unowned self] call in
            let rows = try call.table(1, "rows")
            let spec = try call.table(2, "columns")
            let columns = try spec.sequence.enumerated().map { i, v -> String in
                guard let name = v.stringValue, !name.isEmpty else {
                    throw HostError("bad argument #2 'columns' (a list of column names expected, item \(i + 1) is \(HostContext.kind(v)))")
                }
                return name
            }
            guard !columns.isEmpty else { throw HostError("bad argument #2 'columns' (at least one column name expected)") }
            let tables = try rows.sequence.enumerated().map { i, v -> LuaTable in
                guard let t = v.tableValue else {
                    throw HostError("bad argument #1 'rows' (a list of tables expected, item \(i + 1) is \(HostContext.kind(v)))")
                }
                return t
            }
            self.writeTable(tables, columns: columns)
            return .values([])
        }
    }

    private func writeTable(_ rows: [LuaTable], columns: [String]) {
        if options.json {
            let objects: [JSONValue] = rows.map { row in
                .object(columns.map { ($0, row[$0].map(WorkflowRun.json) ?? .null) })
            }
            reporter.emit(RunEvent("table", fields: [("columns", .array(columns.map { .string($0) })),
                                                     ("rows", .array(objects))]))
            return
        }
        let header = columns.map { $0.uppercased().replacingOccurrences(of: "_", with: " ") }
        let cells = rows.map { row in columns.map { HostContext.cell(row[$0]) } }
        let text = OutputTable.render([header] + cells)
        FileHandle.standardOutput.write(Data(TerminalText.escape(reporter.redactor.redact(text)).utf8))
    }

    /// The Lua type name of a value, for argument errors.
    static func kind(_ v: LuaValue) -> String {
        switch v {
        case .nil: return "nil"
        case .boolean: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .table: return "a table"
        }
    }

    /// A cell as a person reads it: nothing is "-", booleans are yes/no, one line.
    static func cell(_ v: LuaValue?) -> String {
        switch v ?? .nil {
        case .nil: return "-"
        case .boolean(let b): return b ? "yes" : "no"
        case .integer(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(format: "%g", d)
        case .string(let s): return s.isEmpty ? "-" : s.replacingOccurrences(of: "\n", with: " ")
        default: return "?"
        }
    }
}
