-- chat: sends one message to the gateway of each target and logs the reply (the seed's chat.ts).
--
-- Parameters (--set key=value):
--   message="Hello! What are you?"   the message
--   user=                             session routing: calls with the same user share a session
--   model=openclaw/default            agent target
--   backend_model=                    x-openclaw-model override, e.g. anthropic/claude-sonnet-4-6
--   stream=false                      true: stream the answer (SSE) and assemble it
--   port=18789 timeout=120
--   token=                            a token to use instead of the one recorded for the machine
-- Targets: --machine ID (repeatable) or --all.
local machines = targets()
if #machines == 0 then fail("chat needs a target: --machine ID (or --all)") end
local message = args.message or "Hello! What are you?"

local outcomes = parallel(machines, function(m)
  return step("chat", function()
    local reply, response = chat(m, message, {
      user = args.user, model = args.model, backend_model = args.backend_model,
      stream = args.stream == "true", port = tonumber(args.port), timeout = tonumber(args.timeout),
      token = args.token,
    })
    log.info(reply)
    return {id = m.id, reply = reply, status = response.status, chunks = response.chunks}
  end)
end)

local replies = {}
for _, o in ipairs(outcomes) do if o.ok then replies[#replies + 1] = o.value end end
return {replies = replies}
