/// Lua code that completes the API where a host function alone cannot: anything that calls back
/// into Lua (steps run a function; log formats with `tostring`). Its chunk is named `=[clawrun]`,
/// and error positions skip its frames, so messages point at the workflow's own lines.
enum HostPrelude {
    static let chunkName = "=[clawrun]"

    static let source = """
    local begin_step, end_step, write_log, write_out = __step_begin, __step_end, __log, __write
    local step_change, show_diff, step_pending = __step_change, __show_diff, __step_pending
    local backoff_delay, raise = __backoff_delay, __raise
    __step_begin, __step_end, __log, __write, __step_change, __show_diff = nil, nil, nil, nil, nil, nil
    __step_pending, __backoff_delay, __raise = nil, nil, nil

    local function render(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      return table.concat(parts, " ")
    end
    function print(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      write_out(table.concat(parts, "\\t") .. "\\n")
    end
    local stdout = io.stdout
    function io.write(...)
      local parts = {}
      for i = 1, select("#", ...) do
        local v = select(i, ...)
        if type(v) ~= "string" and type(v) ~= "number" then
          error("bad argument #" .. i .. " to 'write' (string expected, got " .. type(v) .. ")", 2)
        end
        parts[i] = tostring(v)
      end
      write_out(table.concat(parts))
      return stdout
    end

    log = log or {}
    for _, level in ipairs({"debug", "info", "warn", "error"}) do
      log[level] = function(...) write_log(level, render(...)) end
    end

    -- A read-only step ({verify = fn}) runs as it is under --check too, since it changes nothing;
    -- but once an earlier step of the same machine would change something, what it would verify
    -- is not what the real run leaves, so under --check it is skipped and says why.
    local function verifying(spec)
      if type(spec.verify) ~= "function" then
        error("step: the table's 'verify' must be a function, got " .. type(spec.verify), 4)
      end
      for key in pairs(spec) do
        if key ~= "verify" then
          error("step: a read-only step takes 'verify' alone, not '" .. tostring(key) .. "'", 4)
        end
      end
      return function()
        if checking() and step_pending() then
          skipped("not run under --check: an earlier step of this machine would change what it reads")
          return
        end
        return spec.verify()
      end
    end

    -- A check/apply step: check() returns needed, description, plan; apply(plan) runs only when
    -- needed and not under --check; diff(plan) returns the lines --diff shows. The step returns
    -- apply's results, or plan when nothing was applied.
    local function planned(spec)
      if spec.verify ~= nil then
        local read_only = verifying(spec) -- not a tail call: its errors name the caller of step
        return read_only
      end
      for _, key in ipairs({"check", "apply"}) do
        if type(spec[key]) ~= "function" then
          error("step: the table's '" .. key .. "' must be a function, got " .. type(spec[key]), 3)
        end
      end
      if spec.diff ~= nil and type(spec.diff) ~= "function" then
        error("step: the table's 'diff' must be a function, got " .. type(spec.diff), 3)
      end
      for key in pairs(spec) do
        if key ~= "check" and key ~= "apply" and key ~= "diff" then
          error("step: unknown key '" .. tostring(key) .. "' (known: apply, check, diff; or verify alone)", 3)
        end
      end
      return function()
        local needed, description, plan = spec.check()
        if not needed then return plan end
        if show_diff and spec.diff then
          local lines = spec.diff(plan)
          if type(lines) ~= "table" then lines = {lines} end
          for _, line in ipairs(lines) do write_log("info", "diff: " .. tostring(line)) end
        end
        step_change(description ~= nil and tostring(description) or "changes needed")
        if checking() then return plan end
        return spec.apply(plan)
      end
    end

    local traceback = debug.traceback
    function step(name, fn)
      if type(name) ~= "string" then error("step: bad argument #1 'name' (string expected, got " .. type(name) .. ")", 2) end
      if type(fn) == "table" then
        fn = planned(fn)
      elseif type(fn) ~= "function" then
        error("step: bad argument #2 'fn' (function, {check, apply} or {verify} table expected, got " .. type(fn) .. ")", 2)
      elseif checking() then
        -- A plain step cannot say what it would change: running it would change it.
        error("step '" .. name .. "' cannot run under --check: it is not a check/apply step, so it would " ..
              "change the machine; write it as step(name, {check = ..., apply = ...}), as step(name, {verify = ...}) " ..
              "when it only reads, or skip it when checking() is true", 2)
      end
      begin_step(name)
      local trace
      local results = table.pack(xpcall(fn, function(e)
        trace = traceback(type(e) == "string" and e or tostring(e), 2)
        return e
      end))
      end_step(results[1], trace)
      if not results[1] then error(results[2], 0) end
      return table.unpack(results, 2, results.n)
    end

    local raw_wait = wait_phase
    function wait_phase(m, phases, opts)
      local fresh = raw_wait(m, phases, opts)
      if type(m) == "table" then
        for k, v in pairs(fresh) do m[k] = v end
        return m
      end
      return fresh
    end

    -- Backoff schedules by name (ClawrunCore/Backoff.swift) or as {initial, factor, cap}.
    local schedules = {
      polling = {initial = 0.02, factor = 1.8, cap = 2},
      http = {initial = 0.5, factor = 2, cap = 8},
    }
    local function schedule_of(fname, backoff)
      if backoff == nil then return schedules.polling end
      if type(backoff) == "string" then
        local s = schedules[backoff]
        if not s then error(fname .. ": unknown backoff '" .. backoff .. "' (known: http, polling)", 3) end
        return s
      end
      if type(backoff) ~= "table" then error(fname .. ": option 'backoff' must be a name or {initial, factor, cap}", 3) end
      local s = {initial = backoff.initial or 0.5, factor = backoff.factor or 2, cap = backoff.cap or 8}
      for k, v in pairs(s) do
        if type(v) ~= "number" or v <= 0 then error(fname .. ": backoff '" .. k .. "' must be a positive number", 3) end
      end
      return s
    end
    local function check_options(fname, opts, known)
      if opts == nil then return {} end
      if type(opts) ~= "table" then error(fname .. ": bad argument #2 'options' (table expected, got " .. type(opts) .. ")", 3) end
      for k in pairs(opts) do
        if not known[k] then error(fname .. ": unknown option '" .. tostring(k) .. "'", 3) end
      end
      return opts
    end

    -- Calls fn(attempt) until it returns without an error, at most `attempts` times, sleeping on
    -- the backoff between tries; `on` (a list of error codes) retries only those.
    function retry(fn, opts)
      if type(fn) ~= "function" then error("retry: bad argument #1 'fn' (function expected, got " .. type(fn) .. ")", 2) end
      opts = check_options("retry", opts, {attempts = true, backoff = true, on = true})
      local attempts = opts.attempts or 3
      if math.type(attempts) ~= "integer" or attempts < 1 then error("retry: option 'attempts' must be a whole number of at least 1", 2) end
      local s = schedule_of("retry", opts.backoff)
      local retried = nil
      if opts.on ~= nil then
        retried = {}
        for _, code in ipairs(opts.on) do retried[code] = true end
      end
      for attempt = 1, attempts do
        local results = table.pack(pcall(fn, attempt))
        if results[1] then return table.unpack(results, 2, results.n) end
        local err = results[2]
        local code = type(err) == "table" and err.code or nil
        if attempt == attempts or (retried and not retried[code]) then error(err, 0) end
        sleep(backoff_delay(attempt - 1, s.initial, s.factor, s.cap))
      end
    end

    -- Calls fn() until it returns a true value (returned with the rest of its results) or
    -- `timeout` seconds pass (an error with code "timeout"); errors fn raises count as not yet.
    function wait_until(fn, opts)
      if type(fn) ~= "function" then error("wait_until: bad argument #1 'fn' (function expected, got " .. type(fn) .. ")", 2) end
      opts = check_options("wait_until", opts, {timeout = true, backoff = true, what = true})
      local timeout = opts.timeout or 60
      if type(timeout) ~= "number" or timeout < 0 then error("wait_until: option 'timeout' must be a number of seconds", 2) end
      local s = schedule_of("wait_until", opts.backoff)
      local deadline, attempt, last = now() + timeout, 0, nil
      while true do
        local results = table.pack(pcall(fn))
        if results[1] and results[2] then return table.unpack(results, 2, results.n) end
        if not results[1] then last = results[2] end
        local delay = backoff_delay(attempt, s.initial, s.factor, s.cap)
        if now() + delay > deadline then
          raise("timeout", string.format("wait_until: timed out after %g s waiting for %s%s", timeout, opts.what or "the condition",
            last ~= nil and (" (last error: " .. tostring(last) .. ")") or ""))
        end
        sleep(delay)
        attempt = attempt + 1
      end
    end

    -- Read-only views of data the host owns (openclaw.layout): writes raise, pairs and # work.
    local function readonly(t, name)
      for k, v in pairs(t) do if type(v) == "table" then t[k] = readonly(v, name .. "." .. tostring(k)) end end
      return setmetatable({}, {
        __index = t, __len = function() return #t end, __pairs = function() return next, t, nil end,
        __newindex = function(_, k) error(name .. " is read-only (setting '" .. tostring(k) .. "')", 2) end,
        __metatable = false,
      })
    end
    if type(openclaw) == "table" and type(openclaw.layout) == "table" then
      openclaw.layout = readonly(openclaw.layout, "openclaw.layout")
    end
    """
}
