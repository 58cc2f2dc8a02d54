-- backup: copies each target's OpenClaw state folder (/home/machine/.openclaw: config, gateway
-- token, LLM keys, sessions) to a folder on this computer, DIR/MACHINE-ID, with a README.txt that
-- says what it holds. It holds secrets: the folders are mode 700, the files mode 600.
-- A sleeping machine is skipped unless --set wake=true. Targets: --machine ID (repeatable) or --all.
local p = params{
  dir = {"", doc = "the folder on this computer that receives one subfolder per machine (required)"},
  wake = {false, doc = "true: wake a sleeping target to back it up"},
}
local ops = require("ops")

if not p.dir then fail("backup needs --set dir=FOLDER (on this computer; it will hold secrets)", {exit_code = 2}) end
local machines = ops.need_targets("backup")
local root = files.mkdir(p.dir)

local outcomes = parallel(machines, function(m)
  return step("backup", function()
    local up, why = ops.reach(m, p)
    if not up then
      skipped(why .. ": --set wake=true wakes it")
      return nil
    end
    local made = ops.backup(m, root .. "/" .. m.id)
    log.info(string.format("backed up %s: %d files, %d bytes, to %s (it holds the gateway token and LLM keys)",
                           m.id, made.files, made.bytes, made.dir))
    return made
  end)
end)

local backups, failed = {}, {}
for i, o in ipairs(outcomes) do
  if not o.ok then failed[#failed + 1] = machines[i].id
  elseif o.value then backups[machines[i].id] = o.value end
end
return {dir = root, backups = backups, failed = failed}
