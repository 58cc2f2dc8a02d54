import ClawrunCore
import Foundation
import LuaRuntime

/// `selection()`: whether the command line chose targets at all (`--machine`, `--machines`,
/// `--all`, `--select`, `--shard`, `--retry-failed`), so that a workflow tells "no targets given"
/// (bad usage) from "the selection matched no machine" (nothing to do, as for a cron run over an
/// empty shard). Returns `{given, all, ids, selectors, shard}`.
extension HostContext {
    func registerSelection() {
        state.register("selection") { [unowned self] _ in
            let s = self.options.selection
            var fields: [(String, LuaValue)] = [
                ("given", .boolean(s.all || !s.ids.isEmpty || s.startsFromAll)), ("all", .boolean(s.all)),
                ("ids", .integer(Int64(s.ids.count))), ("selectors", .integer(Int64(s.selectors.count))),
            ]
            if let shard = s.shard { fields.append(("shard", .string(shard.description))) }
            return .values([.table(LuaTable(fields))])
        }
    }
}
