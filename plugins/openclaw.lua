-- openclaw: install, configure, start and check an OpenClaw gateway in a machine, following the
-- seed guide; every step is idempotent (it reads what is there and changes only what differs).
--   oc.install(m, opts)       simulator link on local machines, else Node.js + npm openclaw (opts.install = "npm" forces npm)
--   oc.ensure_node(m)         reinstalls Node.js after a wake (the root filesystem resets; npm installs only)
--   oc.configure(m, opts)     gateway.mode, LLM keys from the caller's environment, chat endpoint, token auth
--   oc.start(m, opts)         start script, launch unless running, wait for /healthz
--   oc.check(m, opts)         port listening, HTTP 200 on /, health RPC
--   oc.greet(m, messages)     chats and logs the replies
local M = {}

M.port = 18789
M.start_script = "/home/machine/start-gateway.sh"
M.log_file = "/home/machine/.openclaw/gateway.log"
-- LLM provider keys handed to the gateway when the caller's environment has them.
M.llm_keys = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENROUTER_API_KEY"}
M.dirs = {"/home/machine/.npm-global/bin", "/home/machine/.npm-cache", "/home/machine/.tmp",
          "/home/machine/.openclaw", "/home/machine/.compile-cache"}

local function sh(m, line, opts)
  opts = opts or {}
  local o = {check = opts.check, timeout = opts.timeout, stdin = opts.stdin, env = opts.env}
  return exec(m, {"bash", "-c", line, "clawrun", table.unpack(opts.args or {})}, o)
end

-- Whether the machine is a clawrun local machine with the OpenClaw simulator mounted.
function M.is_local(m)
  local _, res = exec(m, {"test", "-x", "/run/clawrun/openclaw-sim"}, {check = false})
  return res.exit_code == 0
end

function M.installed_version(m)
  local out, res = exec(m, {"bash", "-c", "command -v openclaw >/dev/null && openclaw --version"},
                        {env = openclaw.env, check = false})
  if res.exit_code == 0 then return out end
  return nil
end

local function node_ok(m)
  local out, res = sh(m, "command -v node >/dev/null && node --version", {check = false})
  local major = res.exit_code == 0 and tonumber(out:match("^v(%d+)")) or nil
  return major ~= nil and major >= 22, out
end

local function install_node(m)
  sh(m, "curl -fsSL https://deb.nodesource.com/setup_22.x | bash - 2>&1 | tail -3 && apt-get install -y nodejs 2>&1 | tail -3",
     {timeout = 900})
end

function M.ensure_node(m)
  step("node", function()
    if M.is_local(m) then return skipped("local machine: the simulator needs no Node.js") end
    local ok, version = node_ok(m)
    if ok then return log.info("Node.js " .. version .. " present") end
    install_node(m)
    changed()
  end)
end

function M.install(m, opts)
  opts = opts or {}
  return step("install", function()
    sh(m, "mkdir -p " .. table.concat(M.dirs, " "))
    local version = M.installed_version(m)
    if version then
      log.info("already installed: " .. version)
      return version
    end
    if opts.install ~= "npm" and M.is_local(m) then
      exec(m, {"ln", "-sfn", "/run/clawrun/openclaw-sim", "/home/machine/.npm-global/bin/openclaw"})
      log.info("linked the OpenClaw simulator (local machine; --set install=npm installs the real package)")
    else
      if not node_ok(m) then install_node(m) end
      sh(m, "npm install -g openclaw@latest 2>&1 | tail -5", {timeout = 1200, env = {
        NPM_CONFIG_PREFIX = "/home/machine/.npm-global", NPM_CONFIG_CACHE = "/home/machine/.npm-cache",
        TMPDIR = "/home/machine/.tmp", HOME = "/home/machine",
        PATH = "/home/machine/.npm-global/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}})
    end
    version = M.installed_version(m)
    if not version then error("openclaw --version fails after the install on " .. m.id, 0) end
    log.info("installed: " .. version)
    changed()
    return version
  end)
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

function M.configure(m, opts)
  opts = opts or {}
  return step("configure", function()
    local cfg = openclaw.config_file(m) or {}
    local port = tonumber(opts.port) or M.port
    local want = {
      {"gateway.mode", "local"},
      {"gateway.http.endpoints.chatCompletions.enabled", true},
      {"gateway.auth.mode", "token"},
    }
    if port ~= M.port or lookup(cfg, "gateway.port") then want[#want + 1] = {"gateway.port", port} end
    local found = {}
    for _, name in ipairs(M.llm_keys) do
      local value = env(name)
      if value then
        want[#want + 1] = {"env.vars." .. name, value}
        found[#found + 1] = name
      end
    end
    if #found == 0 and not lookup(cfg, "env.vars") then
      log.warn("no LLM API key in the environment (" .. table.concat(M.llm_keys, ", ") .. "): the gateway will " ..
               "answer every chat with the agent's \"No API key\" error; export one and run deploy again")
    end
    -- Keep the gateway's token (deploy never rotates); record it when this home lacks it.
    local current = lookup(cfg, "gateway.auth.token")
    local tok
    if type(current) == "string" and current ~= "" then
      tok = current
      if token.get(m) ~= current then
        token.save(m, current)
        log.info("recorded the gateway's existing token for " .. m.id)
      end
    else
      tok = token.generate()
      want[#want + 1] = {"gateway.auth.token", tok}
    end
    local n = 0
    for _, kv in ipairs(want) do
      if lookup(cfg, kv[1]) ~= kv[2] then
        openclaw.config_set(m, kv[1], kv[2])
        n = n + 1
      end
    end
    if token.get(m) ~= tok then token.save(m, tok) end
    local mode = sh(m, "stat -c %a " .. openclaw.config_path)
    if mode ~= "600" then
      exec(m, {"chmod", "600", openclaw.config_path})
      n = n + 1
    end
    if n > 0 then
      log.info(string.format("set %d config value(s)", n))
      changed()
    else
      log.info("config already as wanted")
    end
    if args.show_token == "true" then log.info("gateway token of " .. m.id .. ": " .. tok) end
    return tok
  end)
end

M.script = table.concat({
  "#!/bin/bash",
  "export PATH=/home/machine/.npm-global/bin:$PATH",
  "export HOME=/home/machine",
  "export OPENCLAW_STATE_DIR=/home/machine/.openclaw",
  "export NODE_COMPILE_CACHE=/home/machine/.compile-cache",
  "export OPENCLAW_NO_RESPAWN=1",
  -- No --auth on the command line: it would override gateway.auth from the config across restarts
  -- and so defeat token rotation.
  "exec openclaw gateway run > " .. M.log_file .. " 2>&1",
  ""}, "\n")

-- The pid of the running gateway, or nil. Anchored: an unanchored pattern also matches the
-- `bash -c` that runs pgrep.
function M.gateway_pid(m)
  local out, res = exec(m, {"pgrep", "-f", "^openclaw-gateway"}, {check = false})
  if res.exit_code == 0 then return out:match("%d+") end
  return nil
end

function M.log_tail(m, lines)
  local out = exec(m, {"tail", "-n", tostring(lines or 20), M.log_file}, {check = false})
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
      if pgrep -f '^openclaw-gateway|start-gateway[.]sh|openclaw gatewa[y] run' >/dev/null; then gone=0; else gone=$((gone + 1)); fi
      [ "$gone" -ge 10 ] && exit 3
      sleep 0.05
    done
    exit 2]], {args = {tostring(port), tostring(timeout)}, check = false, timeout = timeout + 30})
  if res.exit_code == 0 then return end
  local why = res.exit_code == 3 and "the gateway process exited"
    or ("/healthz did not answer 200 within " .. timeout .. " s")
  error(string.format("gateway on %s is not healthy: %s; last lines of %s:\n%s", m.id, why, M.log_file,
                      M.log_tail(m, 20)), 0)
end

function M.start(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  step("start-script", function()
    local current = exec(m, {"cat", M.start_script}, {check = false})
    if current .. "\n" == M.script then return log.info(M.start_script .. " up to date") end
    exec(m, {"bash", "-c", 'cat > "$1" && chmod 755 "$1"', "clawrun", M.start_script}, {stdin = M.script})
    changed()
  end)
  step("launch", function()
    local pid = M.gateway_pid(m)
    if pid then
      log.info("gateway already running (pid " .. pid .. ")")
    else
      local listener = sh(m, "ss -tlnpH \"sport = :$1\"", {args = {tostring(port)}, check = false})
      if listener ~= "" then
        error(string.format("port %d inside %s is already taken by another process, so the gateway cannot " ..
                            "listen there: %s — stop it or deploy with --set port=N", port, m.id, listener), 0)
      end
      sh(m, "setsid " .. M.start_script .. " </dev/null &>/dev/null & disown")
      log.info("launched the gateway")
      changed()
    end
    M.wait_healthy(m, opts)
  end)
end

function M.check(m, opts)
  opts = opts or {}
  local port = tonumber(opts.port) or M.port
  return step("check", function()
    local listening = sh(m, "ss -tlnH \"sport = :$1\"", {args = {tostring(port)}, check = false})
    if listening == "" then error("nothing listens on port " .. port .. " inside " .. m.id, 0) end
    local code = exec(m, {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" .. port .. "/"},
                      {check = false})
    if code ~= "200" then error("GET / on the gateway of " .. m.id .. " answered " .. code .. ", not 200", 0) end
    local health = openclaw.health(m)
    if health.ok ~= true then error("the health RPC of " .. m.id .. " says ok = " .. tostring(health.ok), 0) end
    log.info("gateway healthy: port " .. port .. " listening, HTTP 200, health RPC ok")
    return health
  end)
end

function M.greet(m, messages, opts)
  opts = opts or {}
  return step("chat", function()
    local replies = {}
    for i, message in ipairs(messages) do
      local reply = chat(m, message, {port = tonumber(opts.port) or M.port, user = opts.user})
      log.info("> " .. message)
      log.info("< " .. reply)
      replies[i] = reply
    end
    return replies
  end)
end

return M
