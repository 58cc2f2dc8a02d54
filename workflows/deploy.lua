-- deploy: from nothing to a chatting OpenClaw gateway (the seed guide, automated and idempotent).
--
-- Parameters (--set key=value):
--   vcpu=2 memory_mib=4096 storage_gib=10 autosleep=   size of a new machine
--   install=auto          auto: the simulator on local machines, npm elsewhere; npm: always npm
--   port=18789            gateway port inside the machine
--   health_timeout=60     seconds to wait for /healthz after launch
--   greet=true            send two chat messages at the end (false: skip)
--   show_token=false      true: print the gateway token
--   model=                agents.defaults.model (provider/model); unset: the model of the first LLM key
--                         found (ANTHROPIC_API_KEY: anthropic/claude-sonnet-4-6, OPENAI_API_KEY: openai/gpt-5.4,
--                         ...), or OpenClaw's default openai/gpt-5.4 when there is none
--   base_url=             a custom OpenAI-compatible provider at this URL serves the model (default
--                         model local/echo), e.g. a local server: http://127.0.0.1:11434/v1 (needs no key)
--   restart_timeout=60    seconds to wait for a running gateway's restart after a config change
-- Targets: --machine ID (repeatable) or --all redeploys those machines; without targets a new
-- machine is created. LLM keys (ANTHROPIC_API_KEY, OPENAI_API_KEY, ...) come from the environment;
-- without a usable one the deploy still succeeds and says why chats fail and what to do.
local provision = require("provision")
local oc = require("openclaw")

local machines = targets()
if #machines == 0 then machines = {provision.create(args)} end

local outcomes = parallel(machines, function(m)
  provision.ready(m, args)
  oc.install(m, args)
  oc.configure(m, args)
  oc.start(m, args)
  oc.check(m, args)
  local replies, chat_failure
  if args.greet ~= "false" then
    replies, chat_failure = oc.greet(m, {"Hello! What are you?", "What can you do for me?"}, args)
  end
  return {id = m.id, replies = replies, chat_failure = chat_failure}
end)

local deployed = {}
for i, outcome in ipairs(outcomes) do
  if outcome.ok then
    deployed[#deployed + 1] = outcome.value
    if outcome.value.chat_failure then
      log.warn("machine " .. outcome.value.id .. " is deployed, but its chats fail: " .. outcome.value.chat_failure)
    else
      log.info("machine " .. outcome.value.id .. " is ready: clawrun workflows/chat.lua --machine " .. outcome.value.id)
    end
  else
    log.error("machine " .. machines[i].id .. " failed: " .. outcome.error)
  end
end
return {machines = deployed}
