-- rotate-token: gives the gateway of every target a new auth token, and proves it on GET /v1/models
-- (which needs the token and no LLM, so it works without any LLM key): the new token is accepted
-- (200) and the old one refused (401 unauthorized). If the new token does not work, the old one
-- is restored and checked again, so a failed rotation never locks clawrun out.
-- Targets: --machine ID (repeatable) or --all. Under --check each target shows the rotation it would get.
local p = params{
  port = {18789, doc = "gateway port inside the machine"},
  restart_timeout = {"60s", doc = "how long to wait for the gateway's in-place restart"},
  show_token = {false, doc = "print the new token"},
}
local oc = require("openclaw")

local machines = targets()
if #machines == 0 then fail("rotate-token needs targets: --machine ID (repeatable) or --all") end
local port, wait = p.port, p.restart_timeout

-- Whether the gateway takes a token: GET /v1/models needs it and makes no LLM call, so the
-- gateway's own 401 (`unauthorized`) is told from a provider's (`authentication_error`) and from a
-- 500 (oc.token_accepted). Right after its restart the gateway may not listen yet: ask again until
-- `wait` seconds have passed.
local function accepts(m, tok)
  local _, accepted = wait_until(function() return true, oc.token_accepted(m, tok, {port = port}) end,
                                 {timeout = wait, what = "the gateway of " .. m.id .. " to answer GET /v1/models"})
  return accepted
end

-- One write of the token (and token mode), then wait for the gateway's in-place restart.
local function set_token(m, tok, cfg)
  openclaw.config_patch(m, {{"gateway.auth.mode", "token"}, {"gateway.auth.token", tok}},
                        {wait = oc.gateway_pid(m) ~= nil, port = port, timeout = wait})
end

local outcomes = parallel(machines, function(m)
  local cfg = openclaw.config_file(m) or {}
  local old = token.get(m) or oc.lookup(cfg, "gateway.auth.token")
  if not old then error("no token is recorded for " .. m.id .. " and its config has none: deploy it first", 0) end
  local new = token.generate()
  step("set", {
    check = function() return true, "gateway.auth.token: a new token" end,
    diff = function() return "gateway.auth.token: (secret) -> (secret, new)" end,
    apply = function() set_token(m, new, cfg) end,
  })
  if checking() then return m.id end
  local verified = step("verify", function()
    local ok, result = pcall(accepts, m, new)
    if not ok or not result then
      log.error("the new token is not accepted on " .. m.id .. " (" .. (ok and "HTTP 401 unauthorized" or tostring(result)) .. ")")
      return false
    end
    if accepts(m, old) then
      log.error("the old token is still accepted on " .. m.id)
      return false
    end
    log.info("GET /v1/models: new token 200, old token 401 unauthorized")
    return true
  end)
  if not verified then
    step("restore", function()
      set_token(m, old, cfg)
      local ok, result = pcall(accepts, m, old)
      if not ok or not result then
        error("restoring the old token on " .. m.id .. " failed too: " .. (ok and "HTTP 401 unauthorized" or tostring(result)), 0)
      end
      token.save(m, old)
      changed()
    end)
    error("rotation failed on " .. m.id .. "; the old token was restored and works", 0)
  end
  step("record", function()
    token.save(m, new)
    if p.show_token then log.info("new token of " .. m.id .. ": " .. new) end
    changed()
  end)
  return m.id
end)

local rotated = {}
for _, o in ipairs(outcomes) do if o.ok then rotated[#rotated + 1] = o.value end end
return {rotated = rotated}
