import ClawrunCore
import Foundation
import Testing

/// `openclaw.layout`: clawrun's one copy of where OpenClaw lives in a machine (the seed guide's
/// layout under /home/machine), read-only in Lua; `openclaw.is_secret_path`: OpenClaw's own rule
/// (src/config/schema.hints.ts, isSensitiveConfigPath) plus clawrun's env.vars.
@Suite struct OpenClawLayoutTests {
    @Test func theLayoutIsReadOnlyDataThePluginReads() async throws {
        let (outcome, events) = try await Sandbox().run("""
            local l = openclaw.layout
            local ok, e = pcall(function() l.port = 1 end)
            local ok2 = pcall(function() l.env.PATH = "/x" end)
            local n = 0
            for _ in pairs(l.env) do n = n + 1 end
            return {port = l.port, cli = l.cli, config = l.config_path == openclaw.config_path, dirs = #l.dirs,
                    written = ok or ok2, error = tostring(e), envs = n, state = l.env.OPENCLAW_STATE_DIR,
                    caches = {l.npm_cache, l.tmp_dir, l.compile_cache, l.env.NODE_COMPILE_CACHE}}
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let v = events.last { $0.event == "result" }?["value"]
        #expect(v?["port"] == .int(18789) && v?["cli"] == .string("/home/machine/.npm-global/bin/openclaw"))
        #expect(v?["config"] == .bool(true) && v?["dirs"] == .int(5) && v?["written"] == .bool(false))
        #expect(v?["error"]?.stringValue?.contains("openclaw.layout is read-only (setting 'port')") == true)
        #expect(v?["envs"] == .int(5) && v?["state"] == .string("/home/machine/.openclaw"))
        #expect(v?["caches"] == .array(["/home/machine/.npm-cache", "/home/machine/.tmp", "/home/machine/.compile-cache",
                                        "/home/machine/.compile-cache"].map(JSONValue.string)))
    }

    @Test func secretPathsFollowOpenClawsRule() async throws {
        let (outcome, events) = try await Sandbox().run("""
            local out = {}
            for _, p in ipairs({"gateway.auth.token", "models.providers.x.apiKey", "env.vars.PATH",
                                "agents.defaults.maxTokens", "gateway.mode"}) do
              out[#out + 1] = openclaw.is_secret_path(p)
            end
            return out
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"]
                == .array([.bool(true), .bool(true), .bool(true), .bool(false), .bool(false)]))
    }
}
