-- chat: sends one message to the gateway of each target and logs the reply (the seed's chat.ts).
-- Targets: --machine ID (repeatable) or --all. Under --check no message is sent.
local p = params{
  message = {"Hello! What are you?", doc = "the message"},
  user = {"", doc = "session routing: calls with the same user share a session"},
  model = {"", doc = "agent target; unset: openclaw/default"},
  backend_model = {"", doc = "x-openclaw-model override, e.g. anthropic/claude-sonnet-4-6"},
  stream = {false, doc = "stream the answer (SSE) and assemble it"},
  port = {18789, doc = "gateway port inside the machine"},
  timeout = {"120s", doc = "how long to wait for the reply"},
  token = {"", doc = "a token to use instead of the one recorded for the machine"},
}

local machines = targets()
if #machines == 0 then fail("chat needs a target: --machine ID (or --all)") end

local outcomes = parallel(machines, function(m)
  if checking() then
    -- A dry run sends nothing: it says that a message would go.
    return step("chat", {check = function() return true, "would send a message" end, apply = function() end})
  end
  return step("chat", function()
    local reply, response = chat(m, p.message, {
      user = p.user, model = p.model, backend_model = p.backend_model,
      stream = p.stream, port = p.port, timeout = p.timeout, token = p.token,
    })
    log.info(reply)
    return {id = m.id, reply = reply, status = response.status, chunks = response.chunks}
  end)
end)

local replies = {}
for _, o in ipairs(outcomes) do if o.ok and o.value then replies[#replies + 1] = o.value end end
return {replies = replies}
