-- deploy: from nothing to a chatting OpenClaw gateway (the seed guide, automated and idempotent).
-- Targets: --machine ID (repeatable) or --all redeploys those machines (a sleeping one is woken);
-- without targets, --set count=N new machines are created. LLM keys (ANTHROPIC_API_KEY, ...) come
-- from the environment; without a usable one the deploy still succeeds and says why chats fail.
-- Each machine records what was installed in /home/machine/.clawrun/deployment.json.
-- Under --check nothing changes and the recap says, per machine, what would: machines it would create
-- (nothing more can be planned for those), a sleeping target it would wake (a sleeping machine takes
-- no exec, so nothing after the wake), and for a running one each step's change; the checks of the
-- gateway run only while no earlier step would change the machine, and no chat is sent.
local provision = require("provision")
local oc = require("openclaw")
local node = require("node")
local deployment = require("deployment")

local p = params{
  count = {1, doc = "how many new machines to create and deploy when no target is given"},
  vcpu = {2, doc = "vCPUs of a new machine"},
  memory_mib = {4096, doc = "memory of a new machine, MiB"},
  storage_gib = {10, doc = "storage of a new machine, GiB"},
  autosleep = {"never", doc = "idle time before a new machine sleeps (30m, 2h, never); a sleeping gateway " ..
                              "receives no messages, so never for one that must answer at any time"},
  network = {"", doc = "local machines: nat gives outbound network (the npm install needs it); unset: loopback only"},
  install = {{"auto", "npm"}, doc = "auto: the simulator on local machines, npm elsewhere; npm: always npm"},
  openclaw_version = {"2026.4.12", doc = "the OpenClaw version npm installs (pinned; upgrade.lua moves it)"},
  registry = {oc.default_registry, doc = "the npm registry OpenClaw comes from"},
  node_version = {"24.19.0", doc = "the Node.js version installed in /home/machine (an LTS OpenClaw accepts)"},
  node_dist = {node.default_dist, doc = "where Node.js releases are (the layout of nodejs.org/dist: mirrors)"},
  node_install = {{"tarball", "apt"}, doc = "tarball: the official build in /home/machine (survives sleep); " ..
                                            "apt: nodesource into the root filesystem (reinstalled after each sleep)"},
  attempts = {4, doc = "tries of a download or npm install that fails transiently (network, HTTP 5xx)"},
  retry_delay = {"2s", doc = "the first pause between tries; it doubles"},
  port = {18789, doc = "gateway port inside the machine"},
  health_timeout = {"60s", doc = "how long to wait for /healthz after launch"},
  restart_timeout = {"60s", doc = "how long to wait for a running gateway's restart after a config change"},
  timeout = {"300s", doc = "how long to wait for a machine to run"},
  greet = {true, doc = "send two chat messages at the end"},
  show_token = {false, doc = "print the gateway token"},
  model = {"", doc = "agents.defaults.model (provider/model); unset: the model of the first LLM key found, " ..
                     "or OpenClaw's default openai/gpt-5.4"},
  base_url = {"", doc = "a custom OpenAI-compatible provider at this URL serves the model (default local/echo)"},
}

-- Bad versions are refused before any machine is made or touched.
local node_ok, node_why = node.supported(p.node_version)
if not node_ok then fail("--set node_version=" .. p.node_version .. ": " .. node_why, {exit_code = 2}) end
if not p.openclaw_version:match("^%w[%w.%-]*$") then
  fail("--set openclaw_version=" .. p.openclaw_version .. " is not a version: use X.Y.Z as npm lists it", {exit_code = 2})
end

local machines = targets()
if #machines == 0 then
  if p.count < 1 then fail("--set count=" .. p.count .. " must be at least 1", {exit_code = 2}) end
  machines = provision.create_many(p, p.count)
  if checking() then
    log.info("--check: nothing more is planned: there is nothing to inspect on machines that do not exist yet")
    return {machines = {}}
  end
elseif args.count then
  fail("--set count=N creates new machines, so it cannot go with --machine or --all", {exit_code = 2})
end

local outcomes = parallel(machines, function(m)
  local _, running = provision.ready(m, p)
  if not running then return {id = m.id, planned = "wake"} end
  local version, source, switched, node_version = oc.install(m, p)
  -- A gateway still running the code the CLI link no longer points at.
  if switched then oc.stop_switched(m) end
  oc.configure(m, p)
  oc.start(m, p)
  oc.check(m, p)
  -- The record changes only with what it says (a deploy that changes nothing leaves it as it is);
  -- deployed_at is the time it was last written.
  step("record", {
    check = function()
      local f = {openclaw_version = version, install = source, node_version = node_version,
                 node_dist = node_version and p.node_dist or nil, node_install = node_version and p.node_install or nil,
                 registry = source == "npm" and p.registry or nil, port = p.port}
      local before = deployment.read(m)
      local differ = deployment.differences(before, f)
      if #differ == 0 then
        log.info(deployment.path .. " up to date")
        return false
      end
      return true, "record: " .. (before and table.concat(differ, ", ") or ("write " .. deployment.path)),
             {fields = f, before = before or {}}
    end,
    apply = function(plan)
      plan.fields.extra = {deployed_at = deployment.timestamp()}
      deployment.installed(m, plan.fields, plan.before)
    end,
  })
  local replies, chat_failure
  if p.greet then
    replies, chat_failure = oc.greet(m, {"Hello! What are you?", "What can you do for me?"}, p)
  end
  return {id = m.id, replies = replies, chat_failure = chat_failure, openclaw_version = version}
end)

local deployed = {}
for i, outcome in ipairs(outcomes) do
  if not outcome.ok then
    log.error("machine " .. machines[i].id .. " failed: " .. outcome.error)
  elseif not checking() then
    deployed[#deployed + 1] = outcome.value
    if outcome.value.chat_failure then
      log.warn("machine " .. outcome.value.id .. " is deployed, but its chats fail: " .. outcome.value.chat_failure)
    else
      log.info("machine " .. outcome.value.id .. " is ready: clawrun workflows/chat.lua --machine " .. outcome.value.id)
    end
  end
end
return {machines = deployed}
