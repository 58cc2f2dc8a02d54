import ClawrunCore
import Testing

/// Throws random argument lists at every global the API defines: no call may crash, and every
/// error must name the function it came from.
@Suite struct BindingFuzzTests {
    @Test func randomArgumentsNeverCrashAndErrorsNameTheFunction() async throws {
        let sandbox = try Sandbox()
        let (outcome, events) = try await sandbox.run("""
            local names = {}
            for _, lib in ipairs({"", "machine", "json", "token", "log"}) do
              local t = lib == "" and _G or _G[lib]
              for k, v in pairs(t) do
                if type(v) == "function" and (lib ~= "" or not (string or {})[k]) then
                  local full = lib == "" and k or (lib .. "." .. k)
                  local skip = {print=1, error=1, assert=1, pcall=1, xpcall=1, require=1, dofile=1, loadfile=1,
                    load=1, collectgarbage=1, select=1, rawequal=1, rawlen=1, rawget=1, rawset=1, setmetatable=1,
                    getmetatable=1, next=1, pairs=1, ipairs=1, tostring=1, tonumber=1, type=1, fail=1}
                  if not skip[full] then names[#names + 1] = full end
                end
              end
            end
            table.sort(names)
            local pool = {nil, true, false, -1, 0, 0.001, 2.5, "", "x", "running", {}, {1, 2}, {id = 7},
              {id = "dm-nope"}, {timeout = "x"}, {limit = 0}, function() return 1 end, json.null}
            math.randomseed(20261126)
            local calls = {}
            for _, name in ipairs(names) do
              for round = 1, 12 do
                local n = math.random(0, 4)
                local a = {}
                for i = 1, n do a[i] = pool[math.random(1, #pool + 1)] end
                calls[#calls + 1] = {name = name, args = a, n = n}
              end
            end
            local function lookup(name)
              local lib, fn = name:match("^(%w+)%.(%w+)$")
              if lib then return _G[lib][fn] end
              return _G[name]
            end
            local bad = {}
            local results = parallel(calls, function(c)
              local ok, err = pcall(lookup(c.name), table.unpack(c.args, 1, c.n))
              if not ok then
                local short = c.name:match("%.(%w+)$") or c.name
                if not tostring(err):find(short, 1, true) then bad[#bad + 1] = c.name .. " -> " .. tostring(err) end
              end
              return ok
            end, {limit = #calls})
            local raised = 0
            for _, r in ipairs(results) do if r.value == false then raised = raised + 1 end end
            return {names = #names, calls = #calls, raised = raised, unnamed = bad}
            """)
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let value = events.last { $0.event == "result" }?["value"]
        #expect((value?["names"]?.intValue ?? 0) >= 15)
        // The run ending with exit code 0 shows that no call took the process down; this shows
        // that the random arguments did reach the bindings' error paths.
        #expect((value?["raised"]?.intValue ?? 0) > 0)
        #expect(value?["unnamed"] == .array([]) || value?["unnamed"] == .object([]), "\(value?["unnamed"] ?? .null)")
    }
}
