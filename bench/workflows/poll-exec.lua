-- Exec-polling benchmark phases for bench/dedalus-poll.sh (one phase per run, so the script can
-- read the server's request counters between phases). Parameters (--set):
--   mode=setup count=N      create N machines (1024 MiB), wait until running; returns their ids
--   mode=short ids=A,B,...  5 × exec "sleep 0.3" on the first machine; returns each duration/polls
--   mode=long ids=...       1 × exec "sleep 10" on the first machine
--   mode=fan ids=... n=200  n concurrent execs of "sleep 1" (parallel, limit n) over the machines
--   mode=teardown ids=...   delete the machines and wait until destroyed
local mode = args.mode or error("--set mode=setup|short|long|fan|teardown", 0)
local ids = {}
for id in (args.ids or ""):gmatch("[^,]+") do ids[#ids + 1] = id end

local function machines()
  local list = {}
  for i, id in ipairs(ids) do list[i] = machine.get(id) end
  return list
end

local function timed_exec(m, command)
  local t0 = now()
  local _, res = exec(m, command, {timeout = 120})
  return {wall = now() - t0, duration = res.duration, polls = res.polls}
end

if mode == "setup" then
  local items = {}
  for i = 1, tonumber(args.count or "10") do items[i] = i end
  local outcomes = parallel(items, function()
    local m = machine.create{memory_mib = 1024}
    wait_phase(m, "running", {timeout = 120})
    return m.id
  end, {limit = #items})
  local out = {}
  for _, o in ipairs(outcomes) do
    if not o.ok then error(o.error, 0) end
    out[#out + 1] = o.value
  end
  return out
elseif mode == "short" then
  local m = machines()[1]
  local runs = {}
  for i = 1, tonumber(args.runs or "5") do runs[i] = timed_exec(m, "sleep 0.3") end
  return runs
elseif mode == "long" then
  return timed_exec(machines()[1], "sleep 10")
elseif mode == "fan" then
  local ms = machines()
  local n = tonumber(args.n or "200")
  local items = {}
  for i = 1, n do items[i] = ms[(i - 1) % #ms + 1] end
  local t0 = now()
  local outcomes = parallel(items, function(m) return timed_exec(m, "sleep 1") end, {limit = n})
  local wall = now() - t0
  local ok, polls, maxd = 0, 0, 0
  for _, o in ipairs(outcomes) do
    if o.ok then
      ok = ok + 1
      polls = polls + o.value.polls
      if o.value.wall > maxd then maxd = o.value.wall end
    end
  end
  return {wall = wall, n = n, ok = ok, polls = polls, slowest = maxd}
elseif mode == "teardown" then
  local outcomes = parallel(ids, function(id)
    local m = machine.get(id)
    if m.phase ~= "destroyed" then
      machine.delete(m)
      wait_phase(m, "destroyed", {timeout = 120})
    end
  end, {limit = #ids})
  local deleted, errors = 0, {}
  for _, o in ipairs(outcomes) do
    if o.ok then deleted = deleted + 1 else errors[#errors + 1] = tostring(o.error) end
  end
  return {deleted = deleted, errors = errors}
else
  error("unknown mode " .. mode, 0)
end
