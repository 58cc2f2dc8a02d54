-- load-test: loads the gateway's chat endpoint of every target, reports each machine and the fleet
-- merged (histograms added), and checks thresholds (exit 99).
-- Targets: --machine ID (repeatable) or --all. Without a usable LLM key every chat fails (HTTP 500 on
-- OpenClaw 2026.4.12, 401 authentication_error on newer releases): the report says so and what to do.
local oc = require("openclaw")
local p = params{
  mode = {{"rate", "closed", "exec"}, doc = "rate: an open model, requests sent at the arrival rate and timed from " ..
          "their intended start (wrk2); closed: a closed loop, `concurrency` requests in flight with curl's parallel " ..
          "mode, the next sent when one returns (a stall pauses it and hides from its percentiles); exec: one exec " ..
          "per request through the provider, end to end, with clawrun's own share"},
  rate = {100.0, doc = "rate mode: requests per second (with stages: the start rate)"},
  duration = {"10s", doc = "rate mode: how long; closed and exec modes with requests=0: how long"},
  stages = {"", doc = "rate mode: ramps duration:rate, e.g. 30s:10,1m:50,30s:0 (k6's ramping-arrival-rate), instead of duration"},
  max_in_flight = {256, doc = "rate mode: connections, so requests in flight at most; one due while all are busy waits and counts as late"},
  requests = {200, doc = "closed and exec modes: number of requests; 0: run for duration"},
  concurrency = {8, doc = "closed and exec modes: requests in flight at once"},
  message = {"Hello!", doc = "the chat message sent"},
  session = {{"per_user", "shared"}, doc = "per_user: each virtual user (connection) has its own session " ..
             "(user load-test-<n>); shared: one session, which runs one request at a time, so that measures its queue"},
  port = {18789, doc = "gateway port inside the machine"},
  timeout = {"30s", doc = "per request"},
  p99_ms = {"", doc = "fail (exit 99) when the p99 latency of any machine or of the fleet exceeds this many ms"},
  max_error_rate = {"", doc = "fail (exit 99) when the share of failed requests of any machine or of the fleet exceeds this (0.01 = 1 %)"},
  report = {"", doc = "draw latency by percentile and throughput over time to FILE.svg or FILE.html"},
  hgrm = {"", doc = "write percentile distributions in HdrHistogram's .hgrm format to PREFIX.<machine>.hgrm and PREFIX.merged.hgrm"},
  baseline = {"", doc = "an earlier run's --json output: print each percentile's change"},
  max_regression = {"10%", doc = "with baseline: fail (exit 99) when a percentile got slower by more than this"},
  results = {"", doc = "write every request's timings to this CSV file (.<machine> appended when there are several)"},
}

local machines = targets()
if #machines == 0 then fail("load-test needs targets: --machine ID (repeatable) or --all") end

local function number_param(name, text, what)
  if text == nil then return nil end
  local pct = tostring(text):match("^([%d.]+)%%$")
  local n = pct and tonumber(pct) / 100 or tonumber(text)
  if not n or n < 0 then fail(string.format("--set %s=%s: expected %s", name, text, what), {exit_code = 2}) end
  return n
end
local p99_limit = number_param("p99_ms", p.p99_ms, "a number of milliseconds such as 250")
local max_error_rate = number_param("max_error_rate", p.max_error_rate, "a share such as 0.01 or 1%")
local max_regression = number_param("max_regression", p.max_regression, "a share such as 10% or 0.1")
if p.report and not (p.report:match("%.svg$") or p.report:match("%.html?$")) then
  fail("--set report=" .. p.report .. ": the chart is written as .svg or .html; name a file ending so", {exit_code = 2})
end
local baseline = p.baseline and loadtest.baseline(p.baseline)

local per_user = p.session == "per_user"
local sessions_said = per_user
  and (p.mode == "rate" and "one session per connection (user load-test-<n>)"
       or string.format("one session per virtual user (%d sessions, user load-test-1 ... load-test-%d)",
                        p.concurrency, p.concurrency))
  or "one shared session (user load-test): requests queue on it, so this measures that queue, not the gateway's concurrency"
local body = json.encode{model = "openclaw/default", user = "load-test", messages = {{role = "user", content = p.message}}}

local function results_path(m)
  if not p.results then return nil end
  if #machines == 1 then return p.results end
  return p.results .. "." .. m.id
end

local last_error

-- One exec per request, `concurrency` coroutines at once (each a virtual user), until the count or
-- the time is done.
local function exec_mode(m)
  local samples, overhead = {}, {}
  local started, issued = now(), 0
  local function more()
    if p.requests == 0 then return now() - started < p.duration end
    return issued < p.requests
  end
  local workers = {}
  for i = 1, p.concurrency do workers[i] = i end
  parallel(workers, function(worker)
    local user = per_user and ("load-test-" .. worker) or "load-test"
    while more() do
      issued = issued + 1
      local t0 = now()
      local ok, reply, response = pcall(chat, m, p.message, {port = p.port, timeout = p.timeout, no_key = "ignore",
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
  end, {limit = p.concurrency})
  local report = loadtest.summary(samples, {duration = now() - started, mode = "exec", results_file = results_path(m)})
  report.concurrency = p.concurrency
  report.clawrun_share_ms = loadtest.summary(overhead, {duration = 1}).latency_ms
  return report
end

local function run_one(m)
  if p.mode == "rate" then
    return loadtest.rate(m, {port = p.port, rate = p.rate, duration = (not p.stages) and p.duration or nil,
                             stages = p.stages, max_in_flight = p.max_in_flight, timeout = p.timeout,
                             body = body, sessions = p.session, results_file = results_path(m)})
  elseif p.mode == "closed" then
    return loadtest.closed(m, {port = p.port, requests = p.requests > 0 and p.requests or nil,
                               duration = p.requests == 0 and p.duration or nil, concurrency = p.concurrency,
                               timeout = p.timeout, results_file = results_path(m), sessions = p.session, body = body})
  end
  return exec_mode(m)
end

local function describe(name, r)
  local l = r.latency_ms
  local how
  if r.mode == "rate" then
    how = p.stages and ("stages " .. p.stages) or string.format("%g req/s for %g s", p.rate, p.duration)
    how = string.format("rate mode, %s, at most %d in flight", how, p.max_in_flight)
  else
    how = string.format("%s mode, concurrency %d", r.mode, r.concurrency or p.concurrency)
  end
  local lines = {
    string.format("load test of %s (%s)", name, how),
    "  sessions     " .. sessions_said,
    string.format("  requests     %d in %.2f s  (%.1f req/s)", r.requests, r.duration, r.throughput),
  }
  if r.scheduled then
    lines[#lines + 1] = string.format("  schedule     %d due, %d late (waited for a free connection), %d dropped (never sent)",
                                      r.scheduled, r.late, r.dropped)
  end
  lines[#lines + 1] = string.format("  errors       %d (%.2f %%)", r.errors, 100 * r.error_rate)
  for kind, n in pairs(r.errors_by_kind) do lines[#lines + 1] = string.format("    %-12s %d", kind, n) end
  if l.p50 then
    lines[#lines + 1] = "  latency ms   min      p50      p90      p99    p99.9      max" ..
                        (r.mode == "rate" and "   (from each request's intended start)" or "")
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

local breaches = {}
local function check(name, r)
  if p99_limit and r.latency_ms.p99 and r.latency_ms.p99 > p99_limit then
    breaches[#breaches + 1] = string.format("%s: p99 %.2f ms > %g ms", name, r.latency_ms.p99, p99_limit)
  end
  if max_error_rate and r.error_rate > max_error_rate then
    breaches[#breaches + 1] = string.format("%s: error rate %.4f > %g", name, r.error_rate, max_error_rate)
  end
  if r.requests == 0 then breaches[#breaches + 1] = name .. ": no request completed" end
end

local reports = {}
local outcomes = parallel(machines, function(m)
  local report = step("load", function() return run_one(m) end)
  report.machine = m.id
  report.sessions = p.session
  describe(m.id, report)
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
  return report
end)
for i, o in ipairs(outcomes) do
  if not o.ok then fail("load test failed: " .. o.error) end
  reports[i] = o.value
end

local merged = loadtest.merge(reports)
if #reports > 1 then describe(string.format("the fleet (%d machines merged)", #reports), merged) end
for _, r in ipairs(reports) do check(r.machine, r) end
if #reports > 1 then check("merged", merged) end

local function write(path, text)
  local f, err = io.open(path, "w")
  if not f then fail("cannot write " .. path .. ": " .. tostring(err)) end
  f:write(text)
  f:close()
end
if p.hgrm then
  for _, r in ipairs(reports) do
    if r.requests > 0 then write(p.hgrm .. "." .. r.machine .. ".hgrm", loadtest.hgrm(r)) end
  end
  if merged.requests > 0 then write(p.hgrm .. ".merged.hgrm", loadtest.hgrm(merged)) end
  log.info("percentile distributions written to " .. p.hgrm .. ".<machine>.hgrm and " .. p.hgrm .. ".merged.hgrm")
end
if p.report then
  write(p.report, loadtest.chart(reports, {format = p.report:match("%.svg$") and "svg" or "html",
                                           title = string.format("load-test, %s mode, %d machine(s)", p.mode, #reports)}))
  log.info("chart written to " .. p.report)
end

local comparison
if baseline and merged.requests > 0 then
  comparison = loadtest.compare(merged, baseline)
  local lines = {"change from the baseline " .. p.baseline .. " (fleet, ms):"}
  for _, row in ipairs(comparison) do
    lines[#lines + 1] = string.format("  %-5s %10.2f -> %10.2f  %+7.1f %%", row.percentile, row.before_ms, row.now_ms,
                                      100 * row.change)
    if max_regression and row.change > max_regression then
      breaches[#breaches + 1] = string.format("%s %.2f ms -> %.2f ms is %+.1f %% (more than %g %% slower than the baseline)",
                                              row.percentile, row.before_ms, row.now_ms, 100 * row.change, 100 * max_regression)
    end
  end
  log.info(table.concat(lines, "\n"))
end

local result = {reports = reports, merged = merged, comparison = comparison}
if #breaches > 0 then
  log.error("thresholds breached:\n  " .. table.concat(breaches, "\n  "))
  fail("load-test thresholds breached: " .. table.concat(breaches, "; "), {exit_code = 99})
end
return result
