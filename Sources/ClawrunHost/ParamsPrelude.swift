/// Lua code of `params`, the typed declaration of a workflow's `--set` parameters: it converts
/// each value to the type of its default and refuses unknown keys (exit 2) before the workflow
/// touches anything.
///
/// A declaration maps each name to its default, or to `{default, doc = "one line"}`. The default
/// gives the type: an integer, a number, a boolean, a duration (`"60s"`, `"500ms"`, `"2m"`, `"1h"`;
/// the value is in seconds), a list of strings (one of them; the first is the default) or a
/// string (`""`: unset, the value is nil).
enum ParamsPrelude {
    static let chunkName = "=[clawrun]"

    static let source = #"""
    local given = args
    local declared = {}
    __params_declared = declared
    -- Set by `clawrun describe` and `check`: the run stops with this marker once the declaration is read.
    local describing = __params_describe
    __params_describe = nil

    local units = {ms = 0.001, s = 1, m = 60, h = 3600}
    local function duration(text)
      local n, unit = tostring(text):match("^%s*([%d%.]+)%s*(%a*)%s*$")
      n = tonumber(n)
      if not n then return nil end
      if unit == "" then return n end
      return units[unit] and n * units[unit] or nil
    end

    local function distance(a, b)
      local prev = {}
      for j = 0, #b do prev[j] = j end
      for i = 1, #a do
        local cur = {[0] = i}
        for j = 1, #b do
          local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
          cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        end
        prev = cur
      end
      return prev[#b]
    end

    local function nearest(name, names)
      local best, score
      for _, candidate in ipairs(names) do
        local d = distance(name, candidate)
        if not score or d < score then best, score = candidate, d end
      end
      if best and score <= math.max(2, #name // 3) then return best end
    end

    local function spec_of(name, entry)
      local default, doc = entry, nil
      if type(entry) == "table" and entry.doc ~= nil then default, doc = entry[1], entry.doc end
      if type(default) == "table" then
        if #default == 0 then error("params: '" .. name .. "' lists no choices", 3) end
        for _, c in ipairs(default) do
          if type(c) ~= "string" then error("params: the choices of '" .. name .. "' must be strings", 3) end
        end
        return {kind = "choice", default = default[1], choices = default, doc = doc}
      elseif math.type(default) == "integer" then return {kind = "integer", default = default, doc = doc}
      elseif type(default) == "number" then return {kind = "number", default = default, doc = doc}
      elseif type(default) == "boolean" then return {kind = "boolean", default = default, doc = doc}
      elseif type(default) == "string" and default ~= "" and duration(default) and default:match("%a$") then
        return {kind = "duration", default = default, doc = doc}
      elseif type(default) == "string" then return {kind = "string", default = default, doc = doc}
      end
      error("params: the default of '" .. name .. "' must be a number, boolean, string or list of strings, got " .. type(default), 3)
    end

    local truth = {["true"] = true, yes = true, on = true, ["1"] = true,
                   ["false"] = false, no = false, off = false, ["0"] = false}

    local function bad(name, text, want)
      fail(string.format("--set %s=%s: %s", name, text, want), {exit_code = 2})
    end

    local function convert(name, spec, text)
      local kind = spec.kind
      if kind == "string" then
        if text == "" then return nil end
        return text
      elseif kind == "integer" then
        local n = math.tointeger(tonumber(text))
        if not n then bad(name, text, "expected a whole number (default " .. spec.default .. ")") end
        return n
      elseif kind == "number" then
        local n = tonumber(text)
        if not n or n ~= n then bad(name, text, "expected a number (default " .. spec.default .. ")") end
        return n
      elseif kind == "boolean" then
        local b = truth[text:lower()]
        if b == nil then bad(name, text, "expected true or false") end
        return b
      elseif kind == "duration" then
        local d = duration(text)
        if not d then bad(name, text, "expected a duration such as 500ms, 30s, 2m or 1h (default " .. spec.default .. ")") end
        return d
      else
        for _, c in ipairs(spec.choices) do if c == text then return text end end
        bad(name, text, "expected one of " .. table.concat(spec.choices, ", "))
      end
    end

    function params(decl)
      if type(decl) ~= "table" then
        error("params: bad argument #1 'declaration' (table expected, got " .. type(decl) .. ")", 2)
      end
      local names = {}
      for name, entry in pairs(decl) do
        if type(name) ~= "string" then error("params: parameter names must be strings", 2) end
        declared[name] = spec_of(name, entry)
        names[#names + 1] = name
      end
      table.sort(names)
      local unknown = {}
      for key in pairs(given) do if not declared[key] then unknown[#unknown + 1] = key end end
      table.sort(unknown)
      if #unknown > 0 then
        local key = unknown[1]
        local near = nearest(key, names)
        fail(string.format("unknown parameter --set %s%s (this workflow takes: %s)", key,
          near and ("; did you mean " .. near .. "?") or "", table.concat(names, ", ")), {exit_code = 2})
      end
      local values = {}
      for _, name in ipairs(names) do
        local spec = declared[name]
        local text = given[name]
        if text ~= nil then
          values[name] = convert(name, spec, text)
        elseif spec.kind == "duration" then
          values[name] = duration(spec.default)
        elseif spec.kind == "string" and spec.default == "" then
          values[name] = nil
        else
          values[name] = spec.default
        end
      end
      if describing then error(describing, 0) end
      return values
    end
    """#
}
