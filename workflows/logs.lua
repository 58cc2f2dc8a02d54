-- logs: the last lines of each target's gateway log (/home/machine/.openclaw/gateway.log), under a
-- `==> ID <==` header when there are several. A sleeping machine is skipped unless --set wake=true.
-- Targets: --machine ID (repeatable) or --all. It only reads, so --check runs it too (a sleeping
-- machine is then not woken: the recap says it would be).
local p = params{
  lines = {50, doc = "how many lines of the end of the log (1 to 100000)"},
  wake = {false, doc = "true: wake a sleeping target to read its log"},
}
local oc = require("openclaw")
local ops = require("ops")

if p.lines < 1 or p.lines > 100000 then
  fail("--set lines=" .. p.lines .. ": expected a number of lines from 1 to 100000", {exit_code = 2})
end
local machines = ops.need_targets("logs")

local outcomes = parallel(machines, function(m)
  return step("logs", {verify = function()
    local up, why = ops.reach(m, p)
    if not up then
      if why == "asleep" then skipped("asleep: --set wake=true wakes it") end
      return nil
    end
    -- Recorded tokens are masked in all output; a log may quote one.
    token.get(m)
    local out, res = exec(m, {"/usr/bin/tail", "-n", tostring(p.lines), oc.log_file}, {check = false})
    if res.exit_code ~= 0 then
      error("no gateway log on " .. m.id .. " (" .. oc.log_file .. "): the gateway was never started there", 0)
    end
    return out
  end})
end)

local logs = {}
for i, o in ipairs(outcomes) do
  local id = machines[i].id
  if o.ok and o.value then
    logs[id] = o.value
    if #machines > 1 then print("==> " .. id .. " <==") end
    -- The log is the machine's output: no control character reaches the terminal.
    print((o.value:gsub("[%z\1-\8\11-\31\127]", "?")))
  end
end
return {logs = logs}
