/// Lua code that completes the API where a host function alone cannot: anything that calls back
/// into Lua (steps run a function; log formats with `tostring`). Its chunk is named `=[clawrun]`,
/// and error positions skip its frames, so messages point at the workflow's own lines.
enum HostPrelude {
    static let chunkName = "=[clawrun]"

    static let source = """
    local begin_step, end_step, write_log, write_out = __step_begin, __step_end, __log, __write
    local step_change, show_diff = __step_change, __show_diff
    __step_begin, __step_end, __log, __write, __step_change, __show_diff = nil, nil, nil, nil, nil, nil

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

    -- A check/apply step: check() returns needed, description, plan; apply(plan) runs only when
    -- needed and not under --check; diff(plan) returns the lines --diff shows. The step returns
    -- apply's results, or plan when nothing was applied.
    local function planned(spec)
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
          error("step: unknown key '" .. tostring(key) .. "' (known: apply, check, diff)", 3)
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
      if type(fn) == "table" then fn = planned(fn) end
      if type(fn) ~= "function" then error("step: bad argument #2 'fn' (function or {check, apply} table expected, got " .. type(fn) .. ")", 2) end
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
    """
}
