import ClawrunCore
import Testing

/// json.encode and json.decode (Sources/ClawrunHost/LuaJSON.swift, Bindings+Basics.swift) over
/// random nested Lua values and JSON texts up to and past `NestingLimit.depth`: every result is
/// exact (the text comes back unchanged) or an error naming the limit; the run itself finishing
/// shows that nothing crashed.
@Suite struct JSONBridgeFuzzTests {
    @Test func randomValuesAndTextsRoundTripOrNameTheLimit() async throws {
        let seed = UInt32.random(in: 1...UInt32.max)
        let sandbox = try Sandbox()
        let (outcome, events) = try await sandbox.run("""
            math.randomseed(tonumber(args.seed))
            local limit = 200
            local chars = {"a", "Z", "0", " ", "\\"", "\\\\", "/", "\\n", "\\t", "\\1", "\\27", "\\127", "é", "😀", "\\0"}
            local function leaf()
              local r = math.random(1, 6)
              if r == 1 then return math.random(-1e9, 1e9) end
              if r == 2 then return math.random() * 10 ^ math.random(-5, 15) end
              if r == 3 then return math.random(1, 2) == 1 end
              if r == 4 then return json.null end
              local s = {}
              for i = 1, math.random(0, 6) do s[i] = chars[math.random(1, #chars)] end
              return table.concat(s)
            end
            -- A value whose tables nest exactly `depth` deep; no empty table (JSON would not say
            -- whether it was an array or an object).
            local function value(depth)
              if depth == 0 then return leaf() end
              local n, deep = math.random(1, 3), nil
              deep = math.random(1, n)
              local items = {}
              for i = 1, n do items[i] = value(i == deep and depth - 1 or math.random(0, math.min(depth - 1, 2))) end
              if math.random(1, 2) == 1 then return items end
              local t = {}
              for i, v in ipairs(items) do t["k" .. i .. chars[math.random(1, #chars)]] = v end
              return t
            end
            local function text(depth)
              if depth == 0 then return tostring(math.random(-1000, 1000)) end
              if math.random(1, 2) == 1 then return "[" .. text(depth - 1) .. ",true,\\"s\\\\u0001\\"]" end
              return '{"a":' .. text(depth - 1) .. ',"b":null}'
            end
            local depths = {1, 2, 3, 59, 60, 61, 198, 199, 200, 201, 202, 250, 1000}
            for _ = 1, 60 do depths[#depths + 1] = math.random(1, 260) end
            local exact, refused, wrong = 0, 0, {}
            for _, depth in ipairs(depths) do
              local ok, encoded = pcall(json.encode, value(depth))
              if depth <= limit then
                if ok and json.encode(json.decode(encoded)) == encoded then exact = exact + 1
                else wrong[#wrong + 1] = "value " .. depth .. ": " .. tostring(encoded) end
              elseif not ok and encoded:find("json.encode: nested deeper than 200 levels", 1, true) then
                refused = refused + 1
              else wrong[#wrong + 1] = "value " .. depth .. " was encoded" end
              local t = text(depth)
              local decoded, v = pcall(json.decode, t)
              if depth <= limit then
                if decoded and json.encode(v) == t then exact = exact + 1
                else wrong[#wrong + 1] = "text " .. depth .. ": " .. tostring(decoded and json.encode(v) or v) end
              elseif not decoded and v:find("json.decode: invalid JSON: nested deeper than 200 levels", 1, true) then
                refused = refused + 1
              else wrong[#wrong + 1] = "text " .. depth .. " was decoded" end
            end
            local sixty = text(60)
            assert(json.encode(json.decode(sixty)) == sixty, "the 60-deep round trip changed the text")
            local huge = string.rep("[", 10000) .. string.rep("]", 10000)
            assert(not pcall(json.decode, huge))
            local t = {} local cur = t
            for _ = 1, 10000 do cur.x = {} cur = cur.x end
            assert(not pcall(json.encode, t))
            return {exact = exact, refused = refused, wrong = wrong}
            """, args: ["seed": String(seed)])
        #expect(outcome.exitCode == 0, "seed \(seed): \(outcome.error ?? "")")
        let value = events.last { $0.event == "result" }?["value"]
        #expect(value?["wrong"] == .array([]) || value?["wrong"] == .object([]), "seed \(seed): \(value?["wrong"] ?? .null)")
        #expect((value?["exact"]?.intValue ?? 0) > 40)
        #expect((value?["refused"]?.intValue ?? 0) > 4)
    }
}

/// Numbers at the edges of every duration option (Sources/LuaRuntime/Scheduler.swift `sleep`,
/// Bindings+Exec.swift, Bindings+Machines.swift, Bindings+OpenClaw.swift, Bindings+LoadTest.swift):
/// huge, infinite and NaN values are clear errors, never a trap converting them to integers.
@Suite struct DurationEdgeTests {
    @Test func hugeInfiniteAndNaNDurationsAreErrors() async throws {
        let sandbox = try Sandbox()
        let (outcome, events) = try await sandbox.run("""
            local calls = {
              function(v) return sleep(v) end,
              function(v) return exec("dm-x", "true", {timeout = v}) end,
              function(v) return wait_phase("dm-x", "running", {timeout = v}) end,
              function(v) return openclaw.run("dm-x", {"status"}, {timeout = v}) end,
              function(v) return loadtest.closed("dm-x", {requests = 1, timeout = v}) end,
              function(v) return loadtest.rate("dm-x", {rate = 1, timeout = v}) end,
            }
            local raised = 0
            for _, call in ipairs(calls) do
              for _, v in ipairs({1e300, -1e300, math.huge, -math.huge, 0/0, -1}) do
                local ok, err = pcall(call, v)
                assert(not ok, "accepted " .. tostring(v))
                assert(tostring(err):find("timeout") or tostring(err):find("seconds"), tostring(err))
                raised = raised + 1
              end
            end
            return raised
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"]?.intValue == 36)
    }
}

/// Sources/ClawrunCore/Poller.swift `run` validates every request before a provider sees it, so a
/// NUL byte from Lua (where strings may hold one) is an error at the script's line.
@Suite struct CommandBytesTests {
    @Test func aNULInACommandOrEnvIsAnErrorAtTheCaller() async throws {
        let sandbox = try Sandbox()
        let (outcome, events) = try await sandbox.run("""
            local out = {}
            for _, f in ipairs({
              function() return exec("dm-x", "echo a\\0b") end,
              function() return exec("dm-x", {"/bin/echo", "a\\0b"}) end,
              function() return exec("dm-x", "true", {env = {["A=B"] = "x"}}) end,
              function() return exec("dm-x", "true", {env = {KEY = "a\\0b"}}) end,
            }) do
              local ok, err = pcall(f)
              out[#out + 1] = ok and "accepted" or tostring(err)
            end
            return out
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let messages = (events.last { $0.event == "result" }?["value"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(messages.count == 4)
        #expect(messages[0].hasSuffix("flow.lua:3: exec: the command's argument 3 holds a NUL byte, which would cut it short"),
                "\(messages)")
        #expect(messages[1].contains("argument 2 holds a NUL byte"))
        #expect(messages[2].contains("env name 'A=B' is not a variable name"))
        #expect(messages[3].contains("the value of env 'KEY' holds a NUL byte"))
    }
}
