-- openclaw: install, configure, start and check an OpenClaw gateway in a machine, following the
-- seed guide. Every step that changes the machine is a check/apply step (its check reads what is
-- there; apply changes only what differs), and the checks are read-only steps, so `--check` plans a
-- deploy truthfully and changes nothing.
--   oc.install(m, opts)       simulator link on local machines, else Node.js + npm openclaw (opts.install = "npm"
--                             forces npm): the steps node and install
--   oc.ensure_node(m)         reinstalls Node.js after a wake (the root filesystem resets; npm installs only)
--   oc.stop_switched(m, t)    ends a gateway still running the code oc.install replaced (the restart step)
--   oc.configure(m, opts)     gateway.mode, LLM keys from the caller's environment, the model that matches
--                             them (or opts.model; opts.base_url: a custom OpenAI-compatible provider), chat
--                             endpoint, token auth: all in one write, then waits for the gateway's restart
--   oc.start(m, opts)         start script (records the gateway's PID), launch unless running, wait for /healthz
--   oc.check(m, opts)         port listening, HTTP 200 on /, health RPC, the token on GET /v1/models (read-only)
--   oc.greet(m, messages)     chats and logs the replies (none under --check); a chat that fails for lack of an
--                             LLM key is reported with its real cause, not raised
--   oc.key_problem(cfg)       why the configured model cannot answer (its provider has no key), or nil
-- Every command names its program by absolute path or is a /bin/bash -c line: the Executions API runs
-- argv with execve(2), without a PATH search.
local M = {}

-- Where OpenClaw lives in a machine, its port and environment: clawrun's one copy
-- (Sources/ClawrunHost/OpenClawLayout.swift), read-only as openclaw.layout.
local layout = openclaw.layout
M.port = layout.port
M.start_script = layout.start_script
M.log_file = layout.log_file
M.pid_file = layout.pid_file
M.cli = layout.cli
M.sim = layout.simulator
-- LLM provider keys handed to the gateway when the caller's environment has them, in the order a
-- model is chosen from them, with the model each one serves (the providers' onboarding defaults).
M.llm_keys = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENROUTER_API_KEY"}
M.key_models = {
  ANTHROPIC_API_KEY = "anthropic/claude-sonnet-4-6", OPENAI_API_KEY = "openai/gpt-5.4",
  GEMINI_API_KEY = "google/gemini-3.1-pro-preview", GOOGLE_API_KEY = "google/gemini-3.1-pro-preview",
  OPENROUTER_API_KEY = "openrouter/auto",
}
-- The model when agents.defaults.model is unset (src/agents/defaults.ts).
M.default_model = "openai/gpt-5.4"
-- The env variables that hold a key for a provider (src/agents/model-auth-env.ts); others: <P>_API_KEY.
M.provider_keys = {
  anthropic = {"ANTHROPIC_API_KEY", "ANTHROPIC_OAUTH_TOKEN"}, openai = {"OPENAI_API_KEY"},
  google = {"GEMINI_API_KEY", "GOOGLE_API_KEY"}, openrouter = {"OPENROUTER_API_KEY"},
}
M.dirs = {}
for i, dir in ipairs(layout.dirs) do M.dirs[i] = dir end

local function sh(m, line, opts)
  opts = opts or {}
  local o = {check = opts.check, timeout = opts.timeout, stdin = opts.stdin, env = opts.env}
  return exec(m, {"/bin/bash", "-c", line, "clawrun", table.unpack(opts.args or {})}, o)
end

-- The install: Node.js in /home/machine (plugins/node.lua), then OpenClaw at a pinned version from
-- an npm registry, each version in a prefix of its own under /home/machine/.clawrun/openclaw, the
-- CLI link switched to it atomically; the version it replaced stays for a rollback (M.use_version).
-- Both are check/apply steps: their checks read what is there, so --check says what would change.
local node = require("node")
local retry = require("retry")
M.default_version = "2026.4.12"
M.default_registry = "https://registry.npmjs.org/"
M.versions_root = "/home/machine/.clawrun/openclaw"

-- The version in what an OpenClaw CLI's --version prints ("2026.4.12").
local function version_in(out)
  return out:match("(%d+%.%d+%.%d+[%w.%-]*)") or out
end

-- The version an OpenClaw CLI reports, or nil when it is missing or fails.
local function version_at(m, path)
  local out, res = exec(m, {"/bin/bash", "-c", '[ -x "$1" ] && "$1" --version', "clawrun", path},
                        {env = openclaw.env, check = false})
  if res.exit_code == 0 then return version_in(out) end
  return nil
end

function M.installed_version(m)
  return version_at(m, M.cli)
end

-- What a resolved M.cli is: "simulator", "npm" (a version under M.versions_root), "other", or nil.
local function source_of(target)
  if not target or target == "" then return nil end
  if target == M.sim then return "simulator" end
  if target:sub(1, #M.versions_root + 1) == M.versions_root .. "/" then return "npm" end
  return "other"
end

-- What M.cli points at: "simulator", "npm", "other", or nil.
function M.installed_from(m)
  local out, res = exec(m, {"/bin/readlink", "-f", M.cli}, {check = false})
  return source_of(res.exit_code == 0 and out or nil)
end

-- What the install decides from, read in one exec (each exec is a round trip): where M.cli points
-- (`from`), its version, whether the machine mounts the simulator (`is_local`) and its version, and
-- the folders of M.dirs that are missing.
local probe_script = [[
cli=$1 sim=$2; shift 2
if target=$(readlink -f "$cli"); then echo "target=$target"; fi
if [ -x "$cli" ] && out=$("$cli" --version 2>/dev/null); then echo "version=${out%%$'\n'*}"; fi
if [ -x "$sim" ]; then
  echo "local=1"
  if out=$("$sim" --version 2>/dev/null); then echo "sim_version=${out%%$'\n'*}"; fi
fi
for d in "$@"; do [ -d "$d" ] || echo "missing=$d"; done
true]]

local function probe(m)
  local out = exec(m, {"/bin/bash", "-c", probe_script, "clawrun", M.cli, M.sim, table.unpack(M.dirs)},
                   {env = openclaw.env})
  local found = {missing = {}}
  for line in out:gmatch("[^\n]+") do
    local key, value = line:match("^([%w_]+)=(.*)$")
    if key == "missing" then found.missing[#found.missing + 1] = value elseif key then found[key] = value end
  end
  return {from = source_of(found.target), version = found.version and version_in(found.version),
          is_local = found["local"] == "1", sim_version = found.sim_version and version_in(found.sim_version),
          missing = found.missing}
end

-- The OpenClaw versions kept in the machine, oldest name first.
function M.kept_versions(m)
  local out = exec(m, {"/bin/bash", "-c", 'cd "$1" 2>/dev/null && for d in */; do [ -e "$d/bin/openclaw" ] && echo "${d%/}"; done; true',
                       "clawrun", M.versions_root})
  local versions = {}
  for v in out:gmatch("[^\n]+") do versions[#versions + 1] = v end
  return versions
end

-- An install as a plan names it: "2026.4.12 (npm)", "none".
local function named(version, from)
  if not from then return "none" end
  return tostring(version or "?") .. " (" .. (from == "other" and "not clawrun's" or from) .. ")"
end

-- The node step: Node.js as opts want it. A machine running the simulator skips it
-- (simulator_skips), except when the install is about to replace the simulator with npm. Returns
-- the Node.js version there (under --check: the one there would be) and whether it changes.
local function node_step(m, opts, simulator_skips)
  local result = step("node", {
    check = function()
      if simulator_skips and M.installed_from(m) == "simulator" then
        skipped("the simulator needs no Node.js")
        return false
      end
      local current = node.version(m)
      -- apt installs nodesource's current release of the major, whatever the pin says.
      if current and node.supported(current)
         and (opts.node_version == nil or opts.node_version == current or opts.node_install == "apt") then
        log.info("Node.js " .. current .. " present")
        return false, nil, {version = current}
      end
      -- Node.js is missing (an apt install the sleep wiped) or not the one wanted: the machine's
      -- record says which version it had and where it came from.
      local ok, record = pcall(require("deployment").read, m)
      record = ok and record or {}
      local spec = {
        node_version = opts.node_version or (not current and record.node_version) or nil,
        node_dist = opts.node_dist or record.node_dist, node_install = opts.node_install or record.node_install,
        attempts = opts.attempts, retry_delay = opts.retry_delay}
      local want = spec.node_version or node.default_version
      local supported, why = node.supported(want)
      if not supported then error("--set node_version=" .. tostring(want) .. ": " .. why, 0) end
      local target = spec.node_install == "apt" and ("nodesource " .. want:match("^%d+") .. ".x (apt)") or want
      return true, "node: Node.js " .. (current or "none") .. " -> " .. target, {spec = spec, version = want, changed = true}
    end,
    apply = function(plan) return {version = node.install(m, plan.spec), changed = true} end,
  })
  if not result then return nil, false end
  return result.version, result.changed == true
end

function M.ensure_node(m, opts)
  return node_step(m, opts or {}, true)
end

-- npm installs the version into a staging prefix, renamed into place once its CLI runs: a failed
-- install leaves nothing half-made. npm's own retries are off so that clawrun's are the only ones
-- (bounded, logged, with the tail of npm's output when they give up).
M.npm_script = [[
ver=$1 registry=$2 root=$3
dir=$root/$ver stage=$root/.staging-$ver
mkdir -p "$root"
rm -rf "$stage"
trap 'rm -rf "$stage"' EXIT
node "$NPM_CLI" install --global --prefix "$stage" --registry "$registry" --fetch-retries 0 \
  --no-audit --no-fund --no-update-notifier --loglevel warn "openclaw@$ver" 2>&1 | tail -40
[ -x "$stage/bin/openclaw" ] || { echo "npm installed no openclaw bin for openclaw@$ver" >&2; exit 4; }
rm -rf "$dir"
mv -T "$stage" "$dir"]]

-- npm's environment: its cache, temporary files and Node's compile cache in the persistent home
-- (openclaw.layout), so that its modules compile from cache after the first run (less CPU per upgrade).
M.npm_env = {
  NPM_CLI = node.npm_cli, PATH = node.path, HOME = layout.home, TMPDIR = layout.tmp_dir,
  NPM_CONFIG_CACHE = layout.npm_cache, NPM_CONFIG_UPDATE_NOTIFIER = "false", NODE_COMPILE_CACHE = layout.compile_cache,
}

-- Points M.cli at a kept version with one rename.
function M.use_version(m, version)
  exec(m, {"/bin/bash", "-c", 'set -e; [ -x "$2/$3/bin/openclaw" ] || { echo "openclaw $3 is not kept in $2" >&2; exit 3; }; ' ..
           'mkdir -p "${1%/*}"; ln -sfn "$2/$3/bin/openclaw" "$1.new"; mv -T "$1.new" "$1"',
           "clawrun", M.cli, M.versions_root, version})
end

-- The install step on a local machine: M.cli linked to the simulator it mounts. `found` is what
-- M.install's probe read, so that the check costs no exec of its own.
local function simulator_step(m, found)
  return step("install", {
    check = function()
      if found.from == "simulator" then
        if #found.missing == 0 then
          log.info("already installed: the OpenClaw simulator " .. tostring(found.version))
          return false, nil, {version = found.version}
        end
        return true, "install: create " .. table.concat(found.missing, " "), {version = found.version}
      end
      return true, "install: OpenClaw " .. named(found.version, found.from) .. " -> " .. tostring(found.sim_version) ..
                   " (simulator)", {version = found.sim_version, link = true}
    end,
    apply = function(plan)
      -- The folders, the link, and the version the linked CLI reports, in one exec.
      local out = exec(m, {"/bin/bash", "-c", [[
        set -e; cli=$1 sim=$2 link=$3; shift 3
        mkdir -p "$@"
        if [ "$link" = 1 ]; then ln -sfn "$sim" "$cli.new"; mv -T "$cli.new" "$cli"; fi
        "$cli" --version 2>/dev/null || true]], "clawrun", M.cli, M.sim, plan.link and "1" or "0", table.unpack(M.dirs)},
        {env = openclaw.env})
      if plan.link then
        log.info("linked the OpenClaw simulator (local machine; --set install=npm installs the real package)")
      end
      return {version = out ~= "" and version_in(out) or nil}
    end,
  })
end

-- The install step of npm: the version `want` in its own prefix, M.cli switched to it.
-- `found`: what M.install's probe read; `new_node`: the node step changed Node.js, so a running
-- gateway runs on the old one.
local function npm_step(m, opts, want, found, new_node)
  local from = found.from
  return step("install", {
    check = function()
      local current, missing = found.version, found.missing
      -- The probe ran before the node step: an npm CLI cannot report its version without Node.js.
      if new_node or not current then current = M.installed_version(m) end
      if from == "npm" and current == want then
        -- A running gateway still runs on the Node.js it started with.
        local plan = {version = current, switched = new_node}
        if #missing == 0 then
          log.info("already installed: OpenClaw " .. current)
          return false, nil, plan
        end
        plan.dirs_only = true
        return true, "install: create " .. table.concat(missing, " "), plan
      end
      local kept = false
      for _, v in ipairs(M.kept_versions(m)) do if v == want then kept = true end end
      return true, "install: OpenClaw " .. named(current, from) .. " -> " .. want .. " (npm" ..
                   (kept and ", kept in the machine" or "") .. ")",
             {version = want, switched = true, current = current, kept = kept}
    end,
    apply = function(plan)
      exec(m, {"/bin/mkdir", "-p", table.unpack(M.dirs)})
      if plan.dirs_only then return plan end
      local current = plan.current
      if not plan.kept then
        retry.run(m, "npm install openclaw@" .. want, M.npm_script, {
          args = {want, opts.registry or M.default_registry, M.versions_root},
          attempts = opts.attempts, delay = opts.retry_delay, timeout = 1200, env = M.npm_env})
      end
      M.use_version(m, want)
      local version = M.installed_version(m)
      if version ~= want then
        if current and from == "npm" then pcall(M.use_version, m, current) end
        error(string.format("openclaw --version says %s after installing %s on %s%s", tostring(version), want, m.id,
                            current and (" (kept " .. current .. ")") or ""), 0)
      end
      -- Keep this version and the one it replaced (for a rollback); /home/machine is all the storage.
      for _, v in ipairs(M.kept_versions(m)) do
        if v ~= want and v ~= current then exec(m, {"/bin/rm", "-rf", "--", M.versions_root .. "/" .. v}) end
      end
      log.info((from == "npm" and current and ("upgraded OpenClaw " .. current .. " to ") or "installed OpenClaw ") ..
               version .. (plan.kept and " (kept in the machine)" or "") ..
               (from == "simulator" and " in place of the simulator" or ""))
      return {version = version, switched = true}
    end,
  })
end

-- Returns the OpenClaw version, its source ("simulator" or "npm"), whether the gateway's code
-- changed under it (then M.stop_switched ends the old gateway), and the Node.js version (npm).
-- Under --check: what they would be.
function M.install(m, opts)
  opts = opts or {}
  local want = tostring(opts.openclaw_version or M.default_version)
  if not want:match("^[%w][%w.%-]*$") then
    error("--set openclaw_version=" .. want .. " is not a version: use X.Y.Z as npm lists it", 0)
  end
  local found = probe(m)
  -- auto: the simulator on a local machine, unless an npm install is already there.
  if opts.install ~= "npm" and found.from ~= "npm" and found.is_local then
    return simulator_step(m, found).version, "simulator", false, nil
  end
  local node_version, new_node = node_step(m, opts, false)
  local result = npm_step(m, opts, want, found, new_node)
  return result.version, "npm", result.switched == true, node_version
end

-- Under --check, the machines whose gateway a planned step would stop (M.stop_switched, the stop
-- step of M.restart): the launch after it would start the gateway, though it still runs now.
local stop_planned = setmetatable({}, {__mode = "k"})

-- Ends the running gateway after its CLI or Node.js was switched to another version (SIGTERM, SIGKILL after
-- `timeout` seconds), so that M.start launches the new one. Returns whether one was running.
function M.stop_for_switch(m, timeout)
  local pid = M.gateway_pid(m)
  if not pid then return false end
  timeout = math.ceil(tonumber(timeout) or 10)
  exec(m, {"/bin/bash", "-c", [[
    kill "$1" 2>/dev/null; end=$((SECONDS + $2))
    while kill -0 "$1" 2>/dev/null; do
      if [ "$SECONDS" -ge "$end" ]; then kill -9 "$1" 2>/dev/null; fi
      sleep 0.05
    done]], "clawrun", pid, tostring(timeout)}, {timeout = timeout + 30})
  return true
end

-- The restart step after M.install switched the gateway's code: ends a gateway still running the
-- old code, so that M.start launches the new one.
function M.stop_switched(m, timeout)
  step("restart", {
    check = function()
      local pid = M.gateway_pid(m)
      if not pid then return false end
      if checking() then stop_planned[m] = true end
      return true, "restart: stop the gateway still running the replaced version (pid " .. pid .. ")"
    end,
    apply = function()
      M.stop_for_switch(m, timeout)
      log.info("stopped the gateway of the replaced version")
    end,
  })
end

-- The value at a dotted path of a decoded config, or nil.
local function lookup(cfg, path)
  local v = cfg
  for key in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    v = v[key]
  end
  return v
end
M.lookup = lookup

-- The provider of a `provider/model` reference (a bare id is OpenAI's).
local function provider_of(model)
  return model:match("^([^/]+)/") or "openai"
end

-- The default agent's model in a decoded config: a string or {primary = ...}; the default when unset.
function M.model_of(cfg)
  local v = lookup(cfg, "agents.defaults.model")
  if type(v) == "table" then v = v.primary end
  if type(v) == "string" and v ~= "" then return v end
  return M.default_model
end

function M.keys_for(provider)
  return M.provider_keys[provider] or {provider:upper():gsub("-", "_") .. "_API_KEY"}
end

local function is_local_url(url)
  local host = tostring(url or ""):match("^%a[%w+.-]*://([^/?#]+)")
  if not host then return false end
  host = host:gsub("^.*@", ""):lower()
  if host:sub(1, 1) ~= "[" then host = host:gsub(":%d*$", "") else host = host:match("^%[.-%]") or host end
  return host == "localhost" or host == "127.0.0.1" or host == "0.0.0.0" or host == "[::1]"
end

-- Why the configured model cannot answer, or nil: the gateway finds a key only for the provider of
-- its model (src/agents/model-auth.ts): an env key of that provider (clawrun passes them in
-- env.vars), a models.providers entry with an apiKey, or one whose baseUrl is loopback (no key needed).
function M.key_problem(cfg)
  local model = M.model_of(cfg)
  local provider = provider_of(model)
  local custom = lookup(cfg, "models.providers." .. provider)
  if type(custom) == "table" then
    if custom.apiKey or is_local_url(custom.baseUrl) then return nil end
  end
  local vars = lookup(cfg, "env.vars") or {}
  local wanted = M.keys_for(provider)
  for _, name in ipairs(wanted) do if vars[name] and vars[name] ~= "" then return nil end end
  local have = {}
  for name in pairs(vars) do if tostring(name):match("_API_KEY$") then have[#have + 1] = name end end
  table.sort(have)
  local unset = lookup(cfg, "agents.defaults.model") == nil and " (the default when agents.defaults.model is unset)" or ""
  return string.format("the model %s%s needs %s, but the gateway has %s: export %s and run deploy again, or " ..
    "deploy with --set model=provider/model for a key you have, or --set base_url=http://127.0.0.1:PORT/v1 " ..
    "for a local OpenAI-compatible server", model, unset, table.concat(wanted, " or "),
    #have > 0 and table.concat(have, ", ") or "no LLM key", wanted[1])
end

-- Whether a chat error is the agent failing for want of a usable key (a provider's 401
-- authentication_error, or the 500 `internal error` 2026.4.12 answers for a missing key).
function M.is_key_failure(err)
  err = tostring(err)
  return err:find("authentication_error", 1, true) ~= nil or err:find("HTTP 500", 1, true) ~= nil
    or err:find("internal error", 1, true) ~= nil
end

-- The config values a gateway should have (a list of {path, value}) and its token: gateway mode,
-- token auth, the chat endpoint, the LLM keys of the caller's environment and the model they serve.
local function wanted_config(cfg, opts)
  local port = tonumber(opts.port) or M.port
  local want = {
    {"gateway.mode", "local"},
    {"gateway.http.endpoints.chatCompletions.enabled", true},
    {"gateway.auth.mode", "token"},
  }
  if port ~= M.port or lookup(cfg, "gateway.port") then want[#want + 1] = {"gateway.port", port} end
  local found, vars = {}, {}
  for _, name in ipairs(M.llm_keys) do
    local value = env(name)
    if value then
      want[#want + 1] = {"env.vars." .. name, value}
      found[#found + 1] = name
      vars[name] = value
    end
  end
  -- The model: --set model=, else the configured one while its provider has a key, else the
  -- model of the first key passed in; with --set base_url= a custom OpenAI-compatible provider.
  local model = opts.model ~= "" and opts.model or nil
  if opts.base_url and opts.base_url ~= "" then
    model = model or "local/echo"
    local provider, id = model:match("^([^/]+)/(.+)$")
    if not provider then error("--set model=" .. model .. " must be provider/model with --set base_url", 0) end
    want[#want + 1] = {"models.providers." .. provider .. ".baseUrl", opts.base_url}
    want[#want + 1] = {"models.providers." .. provider .. ".api", "openai-completions"}
    want[#want + 1] = {"models.providers." .. provider .. ".models", {{id = id, name = id}}}
  elseif not model then
    local current = M.model_of(cfg)
    local keep = lookup(cfg, "agents.defaults.model") ~= nil
    if keep and #found > 0 then
      keep = false
      for _, name in ipairs(M.keys_for(provider_of(current))) do if vars[name] then keep = true end end
    end
    if not keep and #found > 0 then model = M.key_models[found[1]] end
  end
  -- Written even when it is OpenClaw's default, so the config says which model the key serves.
  if model and (model ~= M.model_of(cfg) or lookup(cfg, "agents.defaults.model") == nil) then
    want[#want + 1] = {"agents.defaults.model.primary", model}
  end
  -- Keep the gateway's token (deploy never rotates).
  local tok = lookup(cfg, "gateway.auth.token")
  if type(tok) ~= "string" or tok == "" then
    tok = token.generate()
    want[#want + 1] = {"gateway.auth.token", tok}
  end
  return want, tok, port
end

-- Whether two decoded config values are the same (tables compared by content).
local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

-- A config value as --diff shows it: secrets masked, tables as JSON.
local function shown(path, value)
  if value == nil then return "(unset)" end
  if openclaw.is_secret_path(path) then return "(secret)" end
  if type(value) == "table" then return json.encode(value) end
  return tostring(value)
end

-- The configure step: check reads the config and its file mode and lists the values that differ;
-- apply writes them in one write (a running gateway restarts once) and waits for that restart.
function M.configure(m, opts)
  opts = opts or {}
  local tok
  step("configure", {
    check = function()
      local cfg = openclaw.config_file(m) or {}
      local want, port
      want, tok, port = wanted_config(cfg, opts)
      local changes = {}
      for _, kv in ipairs(want) do
        local have = lookup(cfg, kv[1])
        if not same(have, kv[2]) then changes[#changes + 1] = kv end
      end
      local mode = sh(m, 'stat -c %a "$1" 2>/dev/null || true', {args = {openclaw.config_path}})
      local plan = {cfg = cfg, changes = changes, port = port, mode = mode}
      local problem = M.key_problem(cfg)
      if problem and #changes == 0 then log.warn("chats will fail on " .. m.id .. ": " .. problem) end
      if #changes == 0 and mode == "600" then
        log.info("config already as wanted (model " .. M.model_of(cfg) .. ")")
        return false, nil, plan
      end
      local keys = {}
      for _, kv in ipairs(changes) do keys[#keys + 1] = kv[1] end
      if mode ~= "600" then keys[#keys + 1] = "file mode " .. (mode ~= "" and mode or "(none)") .. " -> 600" end
      return true, "config: " .. table.concat(keys, ", "), plan
    end,
    diff = function(plan)
      local lines = {}
      for _, kv in ipairs(plan.changes) do
        lines[#lines + 1] = string.format("%s: %s -> %s", kv[1], shown(kv[1], lookup(plan.cfg, kv[1])), shown(kv[1], kv[2]))
      end
      if plan.mode ~= "600" then
        lines[#lines + 1] = openclaw.config_path .. " mode: " .. (plan.mode ~= "" and plan.mode or "(none)") .. " -> 600"
      end
      return lines
    end,
    apply = function(plan)
      local n, after = 0, plan.cfg
      if #plan.changes > 0 then
        -- One write, so a running gateway restarts once; wait for that restart before anything
        -- probes it (a check right after a write can hit the old listener or none).
        local running = M.gateway_pid(m) ~= nil
        local restarted
        n, restarted = openclaw.config_patch(m, plan.changes, {wait = running, port = plan.port,
                                                               timeout = tonumber(opts.restart_timeout) or 60})
        if n > 0 and running then
          log.info(restarted and "the gateway restarted with the new config" or "the gateway applied the new config")
        end
        after = openclaw.config_file(m) or plan.cfg
      end
      if plan.mode ~= "600" then exec(m, {"/bin/chmod", "600", openclaw.config_path}) end
      log.info(string.format("set %d config value(s) in one write (model %s)", n, M.model_of(after)))
      local problem = M.key_problem(after)
      if problem then log.warn("chats will fail on " .. m.id .. ": " .. problem) end
    end,
  })
  -- This home's record of the token (not the machine's state: kept out of --check runs).
  if not checking() and token.get(m) ~= tok then
    token.save(m, tok)
    log.info("recorded the gateway's token for " .. m.id)
  end
  if opts.show_token == true or opts.show_token == "true" then log.info("gateway token of " .. m.id .. ": " .. tok) end
  return tok
end

-- The start script exports the layout's environment: its bin folder first on the inherited PATH,
-- then the rest, in the order earlier releases wrote (another order would rewrite every deployed
-- machine's script), any variable the layout adds after them.
local exports = {"#!/bin/bash", "export PATH=" .. layout.bin_dir .. ":$PATH"}
local first, rest = {"HOME", "OPENCLAW_STATE_DIR", "NODE_COMPILE_CACHE", "OPENCLAW_NO_RESPAWN"}, {}
for name in pairs(layout.env) do
  local listed = name == "PATH"
  for _, known in ipairs(first) do listed = listed or known == name end
  if not listed then rest[#rest + 1] = name end
end
table.sort(rest)
for _, names in ipairs({first, rest}) do
  for _, name in ipairs(names) do
    if layout.env[name] then exports[#exports + 1] = "export " .. name .. "=" .. layout.env[name] end
  end
end

M.script = table.concat(exports, "\n") .. "\n" .. table.concat({
  -- The gateway's PID: exec keeps it, and so do in-place restarts (OPENCLAW_NO_RESPAWN=1); the
  -- process title is `openclaw` until the CLI's pre-action hook runs, so it cannot say this.
  "echo $$ > " .. M.pid_file,
  -- No --auth on the command line: it would override gateway.auth from the config across restarts
  -- and so defeat token rotation.
  "exec " .. M.cli .. " gateway run > " .. M.log_file .. " 2>&1",
  ""}, "\n")

-- The pid of the running gateway, or nil: the PID the start script recorded, while that process
-- is alive and an openclaw (or still the start script). Without a PID file (a gateway started by
-- hand) the title is the fallback, skipping `gateway call` CLIs, which carry the same title
-- (src/cli/program/preaction.ts).
M.pid_check = [[
  pid=$(cat "$1" 2>/dev/null)
  if [ -n "$pid" ]; then
    case "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" in
      *openclaw*|*start-gateway*) echo "$pid"; exit 0 ;;
    esac
    exit 1
  fi
  for p in $(pgrep -f '^openclaw-gateway'); do
    case "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" in
      *" call "*) ;;
      ?*) echo "$p"; exit 0 ;;
    esac
  done
  exit 1]]

function M.gateway_pid(m)
  local out, res = sh(m, M.pid_check, {args = {M.pid_file}, check = false})
  if res.exit_code == 0 then return out:match("%d+") end
  return nil
end

function M.log_tail(m, lines)
  local out = exec(m, {"/usr/bin/tail", "-n", tostring(lines or 20), M.log_file}, {check = false})
  return out
end

-- Polls /healthz inside the machine in one exec (no fixed sleep); fails early when the gateway
-- process is gone, and shows the tail of its log.
function M.wait_healthy(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  local timeout = tonumber(opts.health_timeout) or 60
  local _, res = sh(m, [[
    url=http://127.0.0.1:$1/healthz; end=$((SECONDS + $2)); gone=0
    while [ "$SECONDS" -lt "$end" ]; do
      code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")
      [ "$code" = 200 ] && exit 0
      pid=$(cat "$3" 2>/dev/null)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then gone=0; else gone=$((gone + 1)); fi
      [ "$gone" -ge 10 ] && exit 3
      sleep 0.05
    done
    exit 2]], {args = {tostring(port), tostring(timeout), M.pid_file}, check = false, timeout = timeout + 30})
  if res.exit_code == 0 then return end
  local why = res.exit_code == 3 and "the gateway process exited"
    or ("/healthz did not answer 200 within " .. timeout .. " s")
  error(string.format("gateway on %s is not healthy: %s; last lines of %s:\n%s", m.id, why, M.log_file,
                      M.log_tail(m, 20)), 0)
end

-- The start script as it is in the machine: {mode = "755", text = ...}, or nil when it is missing.
local function start_script_in(m)
  local out, res = sh(m, '[ -f "$1" ] || exit 3; stat -c %a "$1" && cat "$1"', {args = {M.start_script}, check = false})
  if res.exit_code == 3 then return nil end
  if res.exit_code ~= 0 then error("cannot read " .. M.start_script .. " on " .. m.id .. ": " .. (res.stderr or ""):sub(1, 200), 0) end
  local mode, text = out:match("^(%d+)\n?(.*)$")
  return {mode = mode, text = text}
end

function M.start(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  step("start-script", {
    check = function()
      local current = start_script_in(m)
      if not current then return true, "start-script: write " .. M.start_script end
      if current.text .. "\n" ~= M.script then return true, "start-script: rewrite " .. M.start_script end
      if current.mode ~= "755" then return true, "start-script: mode " .. tostring(current.mode) .. " -> 755" end
      log.info(M.start_script .. " up to date")
      return false
    end,
    apply = function()
      exec(m, {"/bin/bash", "-c", 'cat > "$1" && chmod 755 "$1"', "clawrun", M.start_script}, {stdin = M.script})
    end,
  })
  step("launch", {
    check = function()
      -- Under --check a planned stop has not happened: the gateway seen now would be gone.
      local stopping = stop_planned[m]
      stop_planned[m] = nil
      local pid = not stopping and M.gateway_pid(m) or nil
      if pid then
        log.info("gateway already running (pid " .. pid .. ")")
        -- Under --check the check step probes it instead, unless an earlier step would change it.
        if not checking() then M.wait_healthy(m, opts) end
        return false
      end
      if not stopping then
        local listener = sh(m, "ss -tlnpH \"sport = :$1\"", {args = {tostring(port)}, check = false})
        if listener ~= "" then
          error(string.format("port %d inside %s is already taken by another process, so the gateway cannot " ..
                              "listen there: %s — stop it or deploy with --set port=N", port, m.id, listener), 0)
        end
      end
      return true, "launch: start the gateway"
    end,
    apply = function()
      sh(m, "setsid " .. M.start_script .. " </dev/null &>/dev/null & disown")
      log.info("launched the gateway")
      M.wait_healthy(m, opts)
    end,
  })
end

-- Whether the gateway takes a token, asked with GET /v1/models: it needs the token and makes no
-- LLM call, so a missing LLM key cannot be mistaken for a refused token. True on 200, false on the
-- gateway's own 401 (`unauthorized`); anything else raises.
function M.token_accepted(m, tok, opts)
  opts = opts or {}
  local r = openclaw.models(m, {token = tok, port = tonumber(opts.port) or M.port})
  if r.status == 200 and r.json then return true end
  if r.status == 401 and r.error_type ~= "authentication_error" then return false end
  if r.status == 200 then
    error("GET /v1/models on " .. m.id .. " answered the Control UI, not the API: enable " ..
          "gateway.http.endpoints.chatCompletions (deploy does)", 0)
  end
  error(string.format("GET /v1/models on %s answered HTTP %d %s: %s", m.id, r.status, r.error_type or "",
                      r.message or ""), 0)
end

function M.check(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  return step("check", {verify = function()
    local listening = sh(m, "ss -tlnH \"sport = :$1\"", {args = {tostring(port)}, check = false})
    if listening == "" then error("nothing listens on port " .. port .. " inside " .. m.id, 0) end
    local code = exec(m, {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                          "http://127.0.0.1:" .. port .. "/"}, {check = false})
    if code ~= "200" then error("GET / on the gateway of " .. m.id .. " answered " .. code .. ", not 200", 0) end
    local health = openclaw.health(m)
    if health.ok ~= true then error("the health RPC of " .. m.id .. " says ok = " .. tostring(health.ok), 0) end
    if not M.token_accepted(m, nil, {port = port}) then
      error("the gateway of " .. m.id .. " refuses the token clawrun recorded (HTTP 401 unauthorized on " ..
            "GET /v1/models): record its token with token.save or rotate it with rotate-token", 0)
    end
    log.info("gateway healthy: port " .. port .. " listening, HTTP 200, health RPC ok, token accepted")
    return health
  end})
end

-- Sends messages (none under --check); a chat that fails because the model's provider has no usable key is reported
-- (what failed, the real cause, what to do) and ends the greeting without failing the caller.
-- Returns the replies, and the failure's message when one ended it.
function M.greet(m, messages, opts)
  opts = opts or {}
  if checking() then
    step("chat", {verify = function() skipped("no chat under --check: each message is an LLM call") end})
    return nil
  end
  local failure
  local replies = step("chat", function()
    local replies = {}
    for i, message in ipairs(messages) do
      local ok, reply = pcall(chat, m, message, {port = tonumber(opts.port) or M.port, user = opts.user})
      if not ok then
        if not M.is_key_failure(reply) then error(reply, 0) end
        local cause = M.key_problem(openclaw.config_file(m) or {})
          or "the provider refused the key: check it, or choose another model with --set model=provider/model"
        local what = tostring(reply):gsub("^[^\n]-:%d+: ", "")
        failure = "chat failed for lack of a usable LLM key (" .. what .. "); cause: " .. cause
        log.warn(failure .. "; the remaining chats were skipped")
        return replies
      end
      log.info("> " .. message)
      log.info("< " .. reply)
      replies[i] = reply
    end
    return replies
  end)
  return replies, failure
end

-- Gateway lifecycle (operations: wake-recover, restart, status). A deployed machine's gateway port
-- belongs to the gateway, so a stale process holding it is killed; deploy's first start refuses instead.
--   oc.state(m, opts)         {status = healthy|wedged|dead|stale, pid, holders = {{pid, cmd}}}: /healthz is
--                             polled for opts.probe_timeout s (default 5) while the process lives
--   oc.stop(m)                ends the gateway (TERM, then KILL after 5 s; a stopped process too)
--   oc.free_port(m, opts)     ends whatever holds the gateway port; returns the command lines it ended
--   oc.restart(m, opts)       stop, free the port, start (start script, launch, /healthz)
--   oc.recover(m, opts)       leaves a healthy gateway alone (health RPC answering); restarts one that is
--                             dead, wedged or behind a stale port holder; returns "healthy" or "restarted"
--                             (under --check: the restart it would do)
--   oc.versions(m)            {openclaw = "2026.4.12", node = "v24.15.0" or nil}

-- Ends processes (TERM and CONT, so a stopped one sees it; KILL after $1 s) and waits for them.
local kill_script = [[
  grace=$1; shift
  kill -TERM "$@" 2>/dev/null; kill -CONT "$@" 2>/dev/null
  end=$((SECONDS + grace))
  while [ "$SECONDS" -lt "$end" ]; do
    alive=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && exit 0
    sleep 0.05
  done
  kill -KILL "$@" 2>/dev/null
  for _ in $(seq 100); do
    alive=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && exit 0
    sleep 0.05
  done
  exit 1]]

local function kill_pids(m, pids)
  if #pids == 0 then return end
  local _, res = sh(m, kill_script, {args = {"5", table.unpack(pids)}, check = false, timeout = 30})
  if res.exit_code ~= 0 then
    error("processes " .. table.concat(pids, " ") .. " in " .. m.id .. " survived SIGKILL", 0)
  end
end

-- The processes listening on the port: {{pid = "123", cmd = "python3 -m http.server"}}.
local function holders(m, port)
  local out = sh(m, [[
    for p in $(ss -tlnpH "sport = :$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
      printf '%s %s\n' "$p" "$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-200)"
    done]], {args = {tostring(port)}, check = false})
  local list = {}
  for line in out:gmatch("[^\n]+") do
    local pid, cmd = line:match("^(%d+) ?(.*)$")
    if pid then list[#list + 1] = {pid = pid, cmd = (cmd:gsub("%s+$", ""))} end
  end
  return list
end

function M.state(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  local pid = M.gateway_pid(m)
  local s = {pid = pid, holders = holders(m, port)}
  local foreign = {}
  for _, h in ipairs(s.holders) do if h.pid ~= pid then foreign[#foreign + 1] = h end end
  s.foreign = foreign
  if not pid then
    s.status = #foreign > 0 and "stale" or "dead"
    return s
  end
  local _, res = sh(m, [[
    end=$((SECONDS + $2))
    while :; do
      [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/healthz")" = 200 ] && exit 0
      kill -0 "$3" 2>/dev/null || exit 3
      [ "$SECONDS" -ge "$end" ] && exit 2
      sleep 0.1
    done]], {args = {tostring(port), tostring(tonumber(opts.probe_timeout) or 5), pid}, check = false,
             timeout = (tonumber(opts.probe_timeout) or 5) + 30})
  if res.exit_code == 0 then
    s.status = "healthy"
  elseif res.exit_code == 3 then
    s.pid, s.status = nil, #foreign > 0 and "stale" or "dead"
  else
    s.status = "wedged"
  end
  return s
end

function M.stop(m)
  local ended = {}
  for _ = 1, 3 do
    local pid = M.gateway_pid(m)
    if not pid then break end
    kill_pids(m, {pid})
    ended[#ended + 1] = pid
  end
  exec(m, {"/bin/rm", "-f", M.pid_file})
  return ended
end

function M.free_port(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  local ended = {}
  for _ = 1, 3 do
    local list = holders(m, port)
    if #list == 0 then return ended end
    local pids = {}
    for _, h in ipairs(list) do
      pids[#pids + 1] = h.pid
      ended[#ended + 1] = h.cmd ~= "" and h.cmd or ("pid " .. h.pid)
    end
    kill_pids(m, pids)
  end
  if #holders(m, port) > 0 then error("port " .. port .. " inside " .. m.id .. " is still held after killing its holders", 0) end
  return ended
end

function M.restart(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  step("stop", {
    check = function()
      local pid = M.gateway_pid(m)
      local what = {}
      if pid then what[1] = "end the gateway (pid " .. pid .. ")" end
      for _, h in ipairs(holders(m, port)) do
        if h.pid ~= pid then
          what[#what + 1] = "end the stale holder of port " .. port .. ": " .. (h.cmd ~= "" and h.cmd or ("pid " .. h.pid))
        end
      end
      if #what == 0 then return false end
      if checking() then stop_planned[m] = true end
      return true, "stop: " .. table.concat(what, "; ")
    end,
    apply = function()
      local stopped = M.stop(m)
      local freed = M.free_port(m, opts)
      if #stopped > 0 then log.info("stopped the gateway (pid " .. table.concat(stopped, ", ") .. ")") end
      if #freed > 0 then log.warn("ended the stale holder(s) of the gateway port: " .. table.concat(freed, "; ")) end
    end,
  })
  M.start(m, opts)
end

function M.recover(m, opts)
  opts = opts or {}
  -- A read the plan depends on, so it is a check that never asks for a change: unlike a
  -- verify step, it runs under --check even after an earlier step (the node step) would change.
  local s = step("gateway-state", {
    check = function()
      local s = M.state(m, opts)
      if s.status == "healthy" then
        -- /healthz answers; the health RPC must too, or the gateway is wedged behind it.
        local ok, err = pcall(openclaw.health, m)
        if not ok then s.status, s.why = "wedged", tostring(err) end
      end
      local what = {
        healthy = "gateway healthy (pid " .. tostring(s.pid) .. ")",
        wedged = "gateway wedged: pid " .. tostring(s.pid) .. " is alive but " ..
                 (s.why and ("the health RPC fails: " .. s.why) or "/healthz does not answer"),
        dead = "gateway not running",
        stale = "gateway not running, and its port is held by: " .. (s.foreign[1] and s.foreign[1].cmd or "?"),
      }
      if s.status == "healthy" then log.info(what.healthy) else log.warn(what[s.status]) end
      return false, nil, s
    end,
    apply = function() end,
  })
  if s.status == "healthy" then return "healthy" end
  M.restart(m, opts)
  return "restarted"
end

function M.versions(m)
  local v = {}
  local out = M.installed_version(m)
  v.openclaw = out and (out:match("(%d+%.%d+%.%d+[%w.-]*)") or out) or nil
  local node_out, res = sh(m, 'export PATH="$1:$2:$PATH"; command -v node >/dev/null && node --version',
                          {args = {node.current .. "/bin", layout.bin_dir}, check = false})
  v.node = res.exit_code == 0 and node_out:match("^v[%d.]+") or nil
  return v
end

return M
