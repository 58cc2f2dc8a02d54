-- provision: machines that are up and reachable. Every step is a check/apply or read-only step, so
-- a --check run says what it would create or wake and changes nothing.
--   provision.create(opts)          creates a machine sized by opts (vcpu, memory_mib, storage_gib, autosleep,
--                                   network); under --check nil
--   provision.create_many(opts, n)  n such machines in one step ("create 3 machines (...)"); under --check {}
--   provision.ready(m, opts)        wakes a sleeping machine, waits for the running phase, then for the guest
--                                   agent to take execs; returns m and whether it runs (under --check a
--                                   sleeping machine is not woken, so it does not)
--   provision.wake(m)               wakes a sleeping machine and waits until it runs; returns m, whether it runs
local M = {}

local function number_arg(opts, name, default)
  local v = opts[name]
  if v == nil or v == "" then return default end
  local n = tonumber(v)
  if not n then error(string.format("--set %s=%s is not a number", name, tostring(v)), 0) end
  return n
end

-- The machine.create arguments of opts, and how a plan names them for `count` machines.
local function sizing(opts, count)
  local spec = {
    vcpu = number_arg(opts, "vcpu", 2),
    memory_mib = number_arg(opts, "memory_mib", 4096),
    storage_gib = number_arg(opts, "storage_gib", 10),
    autosleep = opts.autosleep,
    network = opts.network,
  }
  local words = string.format("%g vCPU, %g MiB memory, %g GiB storage%s", spec.vcpu, spec.memory_mib,
                              spec.storage_gib, count == 1 and "" or " each")
  if spec.autosleep and spec.autosleep ~= "" then words = words .. ", autosleep " .. tostring(spec.autosleep) end
  if spec.network and spec.network ~= "" then words = words .. ", network " .. tostring(spec.network) end
  return spec, string.format("%s (%s)", count == 1 and "a machine" or (count .. " machines"), words)
end

local function create_one(spec)
  local m = machine.create(spec)
  log.info("created machine " .. m.id)
  return m
end

function M.create(opts)
  local spec, words = sizing(opts or {}, 1)
  return step("create", {
    check = function() return true, "create: " .. words end,
    apply = function() return create_one(spec) end,
  })
end

function M.create_many(opts, count)
  local spec, words = sizing(opts or {}, count)
  return step("create", {
    check = function() return true, "create: " .. words, {} end,
    apply = function()
      local made = {}
      for i = 1, count do made[i] = create_one(spec) end
      return made
    end,
  })
end

-- The guest agent may refuse the first execs after the running phase (the seed's "503 on first
-- exec"): retry a trivial exec with backoff instead of sleeping a fixed 5 s.
function M.wait_agent(m, timeout)
  wait_until(function() return exec(m, {"/bin/true"}, {timeout = 30}) ~= nil end,
             {timeout = timeout or 60, backoff = {initial = 0.05, factor = 2, cap = 2},
              what = "the guest agent of " .. m.id .. " to take an exec"})
end

function M.ready(m, opts)
  opts = opts or {}
  -- A sleeping machine never reaches running by itself: wake it instead of waiting out the timeout.
  if m.phase == "sleeping" or m.phase == "stopping" then return M.wake(m) end
  step("wait-running", {verify = function()
    wait_phase(m, "running", {timeout = number_arg(opts, "timeout", 300)})
    M.wait_agent(m)
  end})
  return m, true
end

local function asleep(m)
  return m.phase == "sleeping" or m.phase == "stopping"
end

function M.wake(m)
  step("wake", {
    check = function()
      local fresh = machine.get(m)
      for k, v in pairs(fresh) do m[k] = v end
      if asleep(m) then return true, "wake: the machine is " .. m.phase end
      -- Already running, or on its way there: waiting changes nothing.
      wait_phase(m, "running", {timeout = 300})
      M.wait_agent(m)
      return false
    end,
    apply = function()
      wait_phase(m, {"sleeping", "running"}, {timeout = 120})
      if m.phase == "sleeping" then
        machine.wake(m)
        log.info("woke " .. m.id)
      end
      wait_phase(m, "running", {timeout = 300})
      M.wait_agent(m)
    end,
  })
  if asleep(m) then
    -- Only under --check: the wake was planned, not done.
    log.info("--check: it would be woken; a sleeping machine takes no exec, so nothing after the wake is planned for it")
    return m, false
  end
  return m, true
end

return M
