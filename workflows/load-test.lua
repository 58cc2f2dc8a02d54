-- load-test: measures the gateway's chat endpoint of every target and checks thresholds.
--
-- Parameters (--set key=value):
--   mode=inside        inside: curl's parallel mode inside the machine (the gateway alone);
--                      exec: one exec per request through the provider, end to end, which also
--                      reports clawrun's own share (exec wall time minus the in-machine curl time)
--   requests=200       number of requests, or
--   duration=          a duration instead (30 or 30s or 2m)
--   concurrency=8      requests in flight at once
--   message=Hello!     the chat message sent
--   p99_ms=            fail (exit 99) when the p99 latency exceeds this many milliseconds
--   max_error_rate=    fail (exit 99) when the share of failed requests exceeds this (0.01 = 1 %)
--   results=           write every request's timings to this CSV file (one per target: ID is appended
--                      when there are several)
--   session=per_user  per_user: each virtual user (concurrency) has its own session (`user` =
--                      load-test-<n>); shared: every request uses one session (`user` = load-test), and
--                      a session runs one request at a time, so that measures its queue, not the gateway
--   port=18789 timeout=30
-- Targets: --machine ID (repeatable) or --all. Without a usable LLM key every chat fails (HTTP 500 on
-- OpenClaw 2026.4.12, 401 authentication_error on newer releases): the report says so and what to do.
local oc = require("openclaw")
local machines = targets()
if #machines == 0 then fail("load-test needs targets: --machine ID (repeatable) or --all") end

local function seconds(text)
  if text == nil or text == "" then return nil end
  local n, unit = tostring(text):match("^(%d+%.?%d*)(%a*)$")
  local scale = ({[""] = 1, s = 1, m = 60, h = 3600})[unit]
  if not n or not scale then fail("--set duration=" .. text .. " is not a duration like 30, 30s or 2m", {exit_code = 2}) end
  return tonumber(n) * scale
end

local mode = args.mode or "inside"
if mode ~= "inside" and mode ~= "exec" then fail("--set mode must be inside or exec, got " .. mode, {exit_code = 2}) end
local duration = seconds(args.duration)
local requests = (not duration) and (tonumber(args.requests) or 200) or nil
local concurrency = tonumber(args.concurrency) or 8
local port = tonumber(args.port) or 18789
local timeout = tonumber(args.timeout) or 30
local message = args.message or "Hello!"
local p99_limit = tonumber(args.p99_ms)
local max_error_rate = tonumber(args.max_error_rate)
local session = args.session or "per_user"
if session ~= "per_user" and session ~= "shared" then
  fail("--set session must be per_user or shared, got " .. session, {exit_code = 2})
end
local sessions_said = session == "shared"
  and "one shared session (user load-test): requests queue on it, so this measures that queue, not the gateway's concurrency"
  or string.format("one session per virtual user (%d sessions, user load-test-1 ... load-test-%d)", concurrency, concurrency)

local function results_path(m)
  if not args.results or args.results == "" then return nil end
  if #machines == 1 then return args.results end
  return args.results .. "." .. m.id
end

local last_error

-- One exec per request, `concurrency` coroutines at once (each a virtual user), until the count or
-- the time is done.
local function exec_mode(m)
  local samples, overhead = {}, {}
  local started, issued = now(), 0
  local function more()
    if duration then return now() - started < duration end
    return issued < requests
  end
  local workers = {}
  for i = 1, concurrency do workers[i] = i end
  parallel(workers, function(worker)
    local user = session == "shared" and "load-test" or ("load-test-" .. worker)
    while more() do
      issued = issued + 1
      local t0 = now()
      local ok, reply, response = pcall(chat, m, message, {port = port, timeout = timeout, no_key = "ignore",
                                                           user = user})
      local wall = now() - t0
      if ok then
        samples[#samples + 1] = {latency = wall, status = response.status}
        if response.curl_time then overhead[#overhead + 1] = math.max(0, wall - response.curl_time) end
      else
        last_error = tostring(reply)
        local code = tostring(reply):match("HTTP (%d+)")
        samples[#samples + 1] = {latency = wall, status = tonumber(code) or 0,
                                 error = code and ("http_" .. code) or "exec_error"}
      end
    end
  end, {limit = concurrency})
  local report = load.summary(samples, {duration = now() - started, mode = "exec", results_file = results_path(m)})
  report.concurrency = concurrency
  report.clawrun_share_ms = load.summary(overhead, {duration = 1}).latency_ms
  return report
end

local function print_report(m, r)
  local l = r.latency_ms
  local lines = {
    string.format("load test of %s (%s mode, concurrency %d)", m.id, r.mode, r.concurrency or concurrency),
    "  sessions     " .. sessions_said,
    string.format("  requests     %d in %.2f s  (%.1f req/s)", r.requests, r.duration, r.throughput),
    string.format("  errors       %d (%.2f %%)", r.errors, 100 * r.error_rate),
  }
  for kind, n in pairs(r.errors_by_kind) do lines[#lines + 1] = string.format("    %-12s %d", kind, n) end
  if l.p50 then
    lines[#lines + 1] = "  latency ms   min      p50      p90      p99    p99.9      max"
    lines[#lines + 1] = string.format("               %-8.2f %-8.2f %-8.2f %-8.2f %-8.2f %-8.2f",
                                      l.min, l.p50, l.p90, l.p99, l.p999, l.max)
  end
  local s = r.clawrun_share_ms
  if s and s.p50 then
    lines[#lines + 1] = string.format("  clawrun's share per request ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f",
                                      s.p50, s.p90, s.p99, s.max)
  end
  log.info(table.concat(lines, "\n"))
end

local reports, breaches = {}, {}
local outcomes = parallel(machines, function(m)
  local report = step("load", function()
    if mode == "inside" then
      return load.inside(m, {port = port, requests = requests, duration = duration, concurrency = concurrency,
                             timeout = timeout, results_file = results_path(m), sessions = session,
                             body = json.encode{model = "openclaw/default", user = "load-test",
                                                messages = {{role = "user", content = message}}}})
    end
    return exec_mode(m)
  end)
  report.machine = m.id
  report.sessions = session
  print_report(m, report)
  local kinds = report.errors_by_kind
  if (kinds.http_500 or kinds.http_401 or 0) > 0 then
    local cause = oc.key_problem(openclaw.config_file(m) or {})
    if cause then
      log.warn(string.format("%d of %d chats on %s failed for lack of a usable LLM key: %s", report.errors,
                             report.requests, m.id, cause))
    elseif last_error and oc.is_key_failure(last_error) then
      log.warn("chats on " .. m.id .. " failed: " .. last_error)
    end
  end
  if p99_limit and report.latency_ms.p99 and report.latency_ms.p99 > p99_limit then
    breaches[#breaches + 1] = string.format("%s: p99 %.2f ms > %g ms", m.id, report.latency_ms.p99, p99_limit)
  end
  if max_error_rate and report.error_rate > max_error_rate then
    breaches[#breaches + 1] = string.format("%s: error rate %.4f > %g", m.id, report.error_rate, max_error_rate)
  end
  if report.requests == 0 then breaches[#breaches + 1] = m.id .. ": no request completed" end
  reports[#reports + 1] = report
  return report
end)

for _, o in ipairs(outcomes) do if not o.ok then fail("load test failed: " .. o.error) end end
if #breaches > 0 then
  log.error("thresholds breached:\n  " .. table.concat(breaches, "\n  "))
  fail("load-test thresholds breached: " .. table.concat(breaches, "; "), {exit_code = 99})
end
return {reports = reports}
