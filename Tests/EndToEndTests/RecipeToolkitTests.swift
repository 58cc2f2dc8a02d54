import ClawrunTestSupport
import Foundation
import Testing

/// The recipe author's toolkit on the command line (issue 16): `describe`, `WORKFLOW --help`,
/// `check` (undefined globals, `--set` keys), and the plugin path.
@Suite struct RecipeToolkitTests {
    static let declared = """
        -- greeter: says hello to nobody in particular
        local p = params{
          port = {18789, doc = "gateway port inside the machine"},
          greet = {true, doc = "send two chat messages at the end"},
          install = {{"auto", "npm"}, doc = "auto: the simulator on local machines, npm elsewhere"},
          health_timeout = {"60s", doc = "how long to wait for /healthz"},
          model = {"", doc = "agents.defaults.model"},
        }
        io.open(os.getenv("CLAWRUN_HOME") .. "/ran", "w"):close()
        return p.port
        """

    @Test func describePrintsEveryParameterWithoutRunningTheWorkflow() async throws {
        try await ClawrunHome.with { home in
            let flow = try home.write("greeter.lua", Self.declared)
            let r = try await home.run(["describe", flow])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("greeter: says hello to nobody in particular"))
            for row in ["port            integer         18789  gateway port inside the machine",
                        "install         one of auto|npm  auto   auto: the simulator",
                        "health_timeout  duration        60s    how long to wait for /healthz",
                        "model           string          (unset)",
                        "greet           boolean         true"] {
                #expect(r.stdout.replacingOccurrences(of: " +", with: " ", options: .regularExpression)
                    .contains(row.replacingOccurrences(of: " +", with: " ", options: .regularExpression)), "\(row)\n\(r.stdout)")
            }
            #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("ran").path))
            let help = try await home.run([flow, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("gateway port inside the machine") && help.stdout.contains("--parallel"))
            #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("ran").path))
        }
    }

    @Test func describeWorksForEveryBundledWorkflow() async throws {
        try await ClawrunHome.with { home in
            let names = try FileManager.default.contentsOfDirectory(
                atPath: ClawrunHome.binary.deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("workflows").path)
                .filter { $0.hasSuffix(".lua") }.map { String($0.dropLast(4)) }
            #expect(names.count >= 5)
            for name in names {
                let r = try await home.run(["describe", name])
                #expect(r.status == 0, "\(name): \(r.stderr)")
                #expect(r.stdout.hasPrefix("Usage: clawrun \(name)"), "\(name): \(r.stdout)")
            }
        }
    }

    @Test func checkReportsUndefinedGlobalsWithTheirLineAndTheNearestName() async throws {
        try await ClawrunHome.with { home in
            let flow = try home.write("typo.lua", """
                local p = params{port = 18789}
                count = 0
                local function later() return stpe end
                prnt(p.port, count, json.encode({}), later)
                """)
            let r = try await home.run(["check", flow])
            #expect(r.status == 2)
            #expect(r.stderr.contains("typo.lua:3: undefined global 'stpe' (did you mean step?)"), "\(r.stderr)")
            #expect(r.stderr.contains("typo.lua:4: undefined global 'prnt' (did you mean print?)"))
            #expect(!r.stderr.contains("'count'") && !r.stderr.contains("'json'") && !r.stderr.contains("'params'"))
        }
    }

    @Test func checkWithSetRefusesAnUnknownKeyAndAcceptsAKnownOne() async throws {
        try await ClawrunHome.with { home in
            let flow = try home.write("greeter.lua", Self.declared)
            let bad = try await home.run(["check", flow, "--set", "prot=8080"])
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("unknown parameter --set prot; did you mean port?"), "\(bad.stderr)")
            let mistyped = try await home.run(["check", flow, "--set", "port=80x"])
            #expect(mistyped.status == 2)
            #expect(mistyped.stderr.contains("--set port=80x: expected a whole number"))
            let good = try await home.run(["check", flow, "--set", "port=8080", "--set", "install=npm"])
            #expect(good.status == 0, "\(good.stderr)")
            #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("ran").path))
        }
    }

    @Test func checkOfEveryBundledWorkflowIsClean() async throws {
        try await ClawrunHome.with { home in
            let r = try await home.run(["check", "deploy", "chat", "rotate-token", "wake-recover", "load-test"])
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    @Test func pluginsLoadFromThePluginsFlagThenClawrunPathBeforeTheWorkflowsOwn() async throws {
        try await ClawrunHome.with { home in
            let fm = FileManager.default
            for dir in ["flag", "envpath", "recipe/plugins"] {
                try fm.createDirectory(at: home.url.appendingPathComponent(dir), withIntermediateDirectories: true)
            }
            try home.write("flag/shared.lua", "return {from = 'flag'}")
            try home.write("envpath/shared.lua", "return {from = 'envpath'}")
            try home.write("envpath/only_env.lua", "return {from = 'envpath'}")
            try home.write("recipe/plugins/shared.lua", "return {from = 'recipe'}")
            try home.write("recipe/plugins/own.lua", "return {from = 'recipe'}")
            let flow = try home.write("recipe/flow.lua", """
                return {require('shared').from, require('only_env').from, require('own').from}
                """)
            let env = ["CLAWRUN_PATH": home.url.appendingPathComponent("envpath").path]
            let r = try await home.run([flow, "--json", "--plugins", home.url.appendingPathComponent("flag").path], environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains(#""value":["flag","envpath","recipe"]"#), "\(r.stdout)")
            let without = try await home.run([flow, "--json"], environment: env)
            #expect(without.stdout.contains(#""value":["envpath","envpath","recipe"]"#), "\(without.stdout)")
            let missing = try await home.run([flow, "--plugins", "/nonexistent/dir"])
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("--plugins '/nonexistent/dir' is not a folder"))
        }
    }

    /// A LuaRocks-style tree: a C module built against Lua 5.4's headers (liblua5.4-dev), found
    /// through LUA_CPATH as `luarocks path` sets it, and a pure Lua module through LUA_PATH.
    @Test func aLuaRocksStyleCModuleAndLuaModuleLoad() async throws {
        try await ClawrunHome.with { home in
            let tree = home.url.appendingPathComponent("rocks")
            let clib = tree.appendingPathComponent("lib/lua/5.4"), lualib = tree.appendingPathComponent("share/lua/5.4")
            try FileManager.default.createDirectory(at: clib, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: lualib, withIntermediateDirectories: true)
            let source = try home.write("tinyc.c", """
                #include <lua.h>
                #include <lauxlib.h>
                static int answer(lua_State *L) { lua_pushinteger(L, 6 * luaL_checkinteger(L, 1)); return 1; }
                int luaopen_tinyc(lua_State *L) {
                  lua_newtable(L);
                  lua_pushcfunction(L, answer);
                  lua_setfield(L, -2, "answer");
                  return 1;
                }
                """)
            try home.write("rocks/share/lua/5.4/purelua.lua", "return {name = 'purelua'}")
            let cc = Process()
            cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
            cc.arguments = ["-shared", "-fPIC", "-I/usr/include/lua5.4", "-o", clib.appendingPathComponent("tinyc.so").path, source]
            try cc.run()
            await offPool { cc.waitUntilExit() }
            #expect(cc.terminationStatus == 0)
            let flow = try home.write("rocks.lua", "return {require('tinyc').answer(7), require('purelua').name}")
            let r = try await home.run([flow, "--json"], environment: [
                "LUA_CPATH": clib.path + "/?.so;;", "LUA_PATH": lualib.path + "/?.lua;;"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains(#""value":[42,"purelua"]"#), "\(r.stdout)")
        }
    }
}
