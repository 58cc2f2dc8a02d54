-- rotate-token: gives the gateway of every target a new auth token, and proves it: the new token
-- is accepted (200) and the old one refused (401). If the new token does not work, the old one
-- is restored and checked again, so a failed rotation never locks clawrun out.
--
-- Parameters (--set key=value):
--   port=18789
--   restart_timeout=60   seconds to wait for the gateway's in-place restart
--   show_token=false     true: print the new token
-- Targets: --machine ID (repeatable) or --all.
local oc = require("openclaw")

local machines = targets()
if #machines == 0 then fail("rotate-token needs targets: --machine ID (repeatable) or --all") end
local port = tonumber(args.port) or 18789
local wait = tonumber(args.restart_timeout) or 60

-- Whether the gateway accepts a token: a chat with it answers (200) or fails with HTTP 401.
local function accepted(m, tok)
  local ok, err = pcall(chat, m, "token check", {token = tok, port = port, no_key = "ignore", timeout = 30})
  if ok then return true end
  if tostring(err):find("HTTP 401", 1, true) then return false end
  error(err, 0)
end

-- After a config change the gateway restarts in place: wait until the wanted token works (the
-- old listener may still answer for a moment, or nothing may listen for a moment).
local function wait_accepts(m, tok)
  local deadline, delay = now() + wait, 0.05
  while true do
    local ok, result = pcall(accepted, m, tok)
    if ok and result then return true end
    if now() + delay > deadline then return false, ok and "HTTP 401" or tostring(result) end
    sleep(delay)
    delay = math.min(delay * 2, 1)
  end
end

local outcomes = parallel(machines, function(m)
  local cfg = openclaw.config_file(m) or {}
  local old = token.get(m) or oc.lookup(cfg, "gateway.auth.token")
  if not old then error("no token is recorded for " .. m.id .. " and its config has none: deploy it first", 0) end
  local new = token.generate()
  step("set", function()
    if oc.lookup(cfg, "gateway.auth.mode") ~= "token" then openclaw.config_set(m, "gateway.auth.mode", "token") end
    openclaw.config_set(m, "gateway.auth.token", new)
    changed()
  end)
  local verified = step("verify", function()
    local ok, why = wait_accepts(m, new)
    if not ok then
      log.error("the new token is not accepted on " .. m.id .. " (" .. why .. ")")
      return false
    end
    if accepted(m, old) then
      log.error("the old token is still accepted on " .. m.id)
      return false
    end
    log.info("new token: 200; old token: 401")
    return true
  end)
  if not verified then
    step("restore", function()
      openclaw.config_set(m, "gateway.auth.token", old)
      local ok, why = wait_accepts(m, old)
      if not ok then error("restoring the old token on " .. m.id .. " failed too: " .. why, 0) end
      token.save(m, old)
      changed()
    end)
    error("rotation failed on " .. m.id .. "; the old token was restored and works", 0)
  end
  step("record", function()
    token.save(m, new)
    if args.show_token == "true" then log.info("new token of " .. m.id .. ": " .. new) end
    changed()
  end)
  return m.id
end)

local rotated = {}
for _, o in ipairs(outcomes) do if o.ok then rotated[#rotated + 1] = o.value end end
return {rotated = rotated}
