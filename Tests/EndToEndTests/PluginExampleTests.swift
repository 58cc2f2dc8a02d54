import ClawrunCore
import Foundation
import Testing

/// README's "Writing a plugin": its two Lua blocks (plugins/motd.lua and the workflow), taken from
/// the README itself and run on local machines as the README says: `--check --diff` names only
/// the machine that differs and changes nothing; the real run changes it alone; a second run
/// changes nothing.
@Suite(.serialized) struct PluginExampleTests {
    static func block(startingWith first: String) throws -> String {
        let readme = try String(contentsOf: Clawrun.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "```lua\n" + first) else { throw Clawrun.Failure("README has no block \(first)") }
        let body = readme[start.upperBound...]
        guard let end = body.range(of: "\n```") else { throw Clawrun.Failure("README block \(first) never ends") }
        return first + body[..<end.lowerBound] + "\n"
    }

    @Test func theReadmePluginChecksThenChangesOnlyTheMachineThatDiffers() async throws {
        try await ClawrunHome.with { home in
            try FileManager.default.createDirectory(at: home.url.appendingPathComponent("recipe/plugins"),
                                                    withIntermediateDirectories: true)
            try home.write("recipe/plugins/motd.lua", try Self.block(startingWith: "-- plugins/motd.lua"))
            let flow = try home.write("recipe/motd.lua", try Self.block(startingWith: "-- motd.lua"))
            let reader = try home.write("read.lua", """
                local out = {}
                for _, m in ipairs(targets()) do out[#out + 1] = exec(m, "cat /etc/motd 2>/dev/null || echo absent") end
                return out
                """)
            let ids = try await home.createMachines(2)
            let both = ids.flatMap { ["--machine", $0] }
            #expect(try await home.run([flow, "--machine", ids[0]]).status == 0)
            let before = try await home.run([reader, "--json"] + both)
            let plan = try await home.run([flow, "--json", "--check", "--diff"] + both)
            #expect(plan.status == 0, "\(plan.stderr)")
            let rows = plan.events.last { $0.event == "recap" }?["machines"]?.arrayValue ?? []
            #expect(rows.filter { $0["would_change"] != nil }.compactMap { $0["machine"]?.stringValue } == [ids[1]])
            #expect(plan.stderr.contains("diff: /etc/motd:  -> managed by clawrun"), "\(plan.stderr)")
            let after = try await home.run([reader, "--json"] + both)
            #expect(after.events.last { $0.event == "result" }?["value"] == before.events.last { $0.event == "result" }?["value"])
            let real = try await home.run([flow, "--json"] + both)
            #expect(real.events.filter { $0["status"]?.stringValue == "changed" }.compactMap(\.machine) == [ids[1]])
            let fixed = try await home.run([reader, "--json"] + both)
            #expect(fixed.events.last { $0.event == "result" }?["value"]
                    == .array([.string("managed by clawrun"), .string("managed by clawrun")]))
            let again = try await home.run([flow, "--json"] + both)
            #expect(!again.events.contains { $0["status"]?.stringValue == "changed" })
        }
    }
}
