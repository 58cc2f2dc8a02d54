import ClawrunCore
import Foundation
import LuaRuntime
import Testing

/// plugins/meta/clawrun.lua (the LuaLS `---@meta` definitions) lists every function clawrun
/// registers and nothing else: the functions of the globals a run's state has that a plain Lua 5.4
/// state does not (or holds with another type), against the file's `function name(` lines.
@Suite struct LuaDefinitionsTests {
    static let definitions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("plugins/meta/clawrun.lua")

    @Test func theDefinitionsListEveryRegisteredFunctionAndNothingElse() async throws {
        let plain = try LuaState().run("""
            local t = {}
            for k, v in pairs(_G) do t[#t + 1] = k .. ":" .. type(v) end
            return t
            """).first?.tableValue?.sequence.compactMap(\.stringValue) ?? []
        let (outcome, events) = try await Sandbox().run("""
            local standard = {}
            for _, entry in ipairs({\(plain.map { "\"\($0)\"" }.joined(separator: ", "))}) do standard[entry] = true end
            local names = {}
            for k, v in pairs(_G) do
              if type(k) == "string" and not standard[k .. ":" .. type(v)] then
                if type(v) == "function" then names[#names + 1] = k
                elseif type(v) == "table" then
                  for member, f in pairs(v) do
                    if type(f) == "function" then names[#names + 1] = k .. "." .. member end
                  end
                end
              end
            end
            table.sort(names)
            return names
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let registered = Set((events.last { $0.event == "result" }?["value"]?.arrayValue ?? []).compactMap(\.stringValue))
        let text = try String(contentsOf: Self.definitions, encoding: .utf8)
        let defined = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("function ") else { return nil }
            return line.dropFirst("function ".count).prefix { $0 != "(" }.description
        })
        #expect(!registered.isEmpty)
        let missing = registered.subtracting(defined).sorted(), extra = defined.subtracting(registered).sorted()
        #expect(missing.isEmpty, "registered but not in plugins/meta/clawrun.lua: \(missing.joined(separator: ", "))")
        #expect(extra.isEmpty, "in plugins/meta/clawrun.lua but not registered: \(extra.joined(separator: ", "))")
    }
}
