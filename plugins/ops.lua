-- ops: what the operation workflows (wake-recover, status, logs, restart, backup, restore,
-- teardown) share.
--   ops.deployment(m)          the deploy record (plugins/deployment.lua), {legacy = true} for a machine
--                              deployed before records existed (it has clawrun's start script), or nil
--   ops.reach(m, opts)         true once m runs and takes execs; false, "asleep" when it sleeps and
--                              opts.wake is not true (it is not woken); false, "would wake" under --check
--                              (the wake is planned, not done); a failed or destroyed machine raises
--   ops.need_targets(name)     the command line's machines (maybe none: an empty --all or shard), or
--                              exit 2 saying how to choose them when none were chosen
--   ops.backup(m, dir)         ~/.openclaw of m into dir on the operator's side (folder 700, files 600)
--   ops.restore(m, dir)        a backup into m's ~/.openclaw (the previous one kept beside it)
local deployment = require("deployment")
local oc = require("openclaw")
local provision = require("provision")

local M = {}

M.state_dir = openclaw.layout.state_dir
M.work_dir = "/home/machine/.clawrun/tmp"
M.archive = "openclaw.tar.gz"
M.manifest = "manifest.json"
M.readme = "README.txt"
-- Raw bytes per exec when an archive moves: a multiple of 3, so that the base64 of the chunks
-- joins into one valid base64 text, and well under an execution's 1 MiB of output.
M.chunk = 393216
-- The largest archive a backup copies (files.read reads at most this much back for a restore).
M.max_bytes = 512 * 1024 * 1024

function M.deployment(m)
  local record = deployment.read(m)
  if record then return record end
  local _, res = exec(m, {"/usr/bin/test", "-f", oc.start_script}, {check = false})
  if res.exit_code == 0 then return {legacy = true} end
  return nil
end

function M.reach(m, opts)
  opts = opts or {}
  local fresh = machine.get(m)
  for k, v in pairs(fresh) do m[k] = v end
  if m.phase == "failed" or m.phase == "destroyed" then
    error(string.format("machine %s is %s%s", m.id, m.phase, m.reason and (" (" .. m.reason .. ")") or ""), 0)
  end
  if (m.phase == "sleeping" or m.phase == "stopping") and not opts.wake then return false, "asleep" end
  if m.phase == "running" then
    provision.wait_agent(m)
    return true
  end
  local _, running = provision.wake(m)
  if not running then return false, "would wake" end
  return true
end

function M.need_targets(name)
  local machines = targets()
  if #machines == 0 then
    if not selection().given then
      fail(name .. " needs targets: --machine ID (repeatable) or --all", {exit_code = 2})
    end
    -- --all over an empty fleet, or a --select/--shard that matches nothing: a cron run has
    -- nothing to do, which is not an error.
    log.info("no machine matches the selection: nothing to do")
  end
  return machines
end

local function sh(m, line, opts)
  opts = opts or {}
  return exec(m, {"/bin/bash", "-c", line, "clawrun", table.unpack(opts.args or {})},
              {check = opts.check, stdin = opts.stdin, timeout = opts.timeout or 300})
end

M.readme_text = [[
This folder is a backup of the OpenClaw state folder (/home/machine/.openclaw) of machine %s,
made by clawrun on %s.

It holds SECRETS: the gateway's auth token and the LLM provider keys (both in openclaw.json),
and any channel credentials, sessions and agent files the gateway kept. Anyone who can read it
can act as this gateway. Keep it private (the folder is mode 700, the files mode 600), do not
commit it or send it anywhere, and delete it when it is no longer needed.

openclaw.tar.gz  the folder .openclaw as a tar archive (gateway.pid and gateway.log left out)
manifest.json    the machine, the time, the archive's size and SHA-256, and the files it holds

Restore it into a machine (its gateway is stopped and restarted; the folder it replaces is kept
as /home/machine/.openclaw.before-restore-TIME):
  clawrun workflows/restore.lua --machine ID --set dir=THIS_FOLDER
]]

-- Runs fn, then removes the machine's temporary file whatever happened.
local function with_temp(m, prefix, fn)
  local path = sh(m, 'umask 077; mkdir -p "$1"; mktemp "$1/$2.XXXXXX"', {args = {M.work_dir, prefix}})
  local results = table.pack(pcall(fn, path))
  pcall(exec, m, {"/bin/rm", "-f", path})
  if not results[1] then error(results[2], 0) end
  return table.unpack(results, 2, results.n)
end

function M.backup(m, dir)
  local folder = files.mkdir(dir)
  return with_temp(m, "backup", function(path)
    local out = sh(m, [[
      set -o pipefail
      [ -d "$2" ] || { echo "no $2 in this machine: nothing to back up" >&2; exit 3; }
      tar -czf "$1" -C "${2%/*}" --exclude=gateway.pid --exclude=gateway.log "${2##*/}" || [ $? = 1 ]
      stat -c %s "$1"; sha256sum "$1" | cut -d' ' -f1; tar -tzf "$1" | wc -l]],
      {args = {path, M.state_dir}})
    local size, sum, count = out:match("^(%d+)\n(%x+)\n%s*(%d+)")
    size = tonumber(size)
    if not size or #sum ~= 64 then error("cannot read the archive's size and SHA-256 in " .. m.id .. ": " .. out:sub(1, 200), 0) end
    if size > M.max_bytes then
      error(string.format("the state folder of %s makes a %d-byte archive, more than the %d a backup takes", m.id, size, M.max_bytes), 0)
    end
    local parts = {}
    for offset = 0, size - 1, M.chunk do
      parts[#parts + 1] = sh(m, 'dd if="$1" bs="$2" skip="$3" count=1 status=none | base64 -w0',
                             {args = {path, tostring(M.chunk), tostring(offset // M.chunk)}})
    end
    local written = files.write(folder, M.archive, table.concat(parts), {base64 = true})
    if written ~= size then
      error(string.format("the archive of %s arrived with %d bytes, not %d", m.id, written, size), 0)
    end
    local made = os.date("!%Y-%m-%dT%H:%M:%SZ")
    files.write(folder, M.manifest, json.encode{machine = m.id, created = made, bytes = size, sha256 = sum,
                                                files = tonumber(count), holds = "secrets: see README.txt"})
    files.write(folder, M.readme, string.format(M.readme_text, m.id, made))
    return {dir = folder, bytes = size, sha256 = sum, files = tonumber(count)}
  end)
end

function M.restore(m, dir, opts)
  opts = opts or {}
  local manifest = files.read(dir, M.manifest)
  if not manifest then error(dir .. " holds no " .. M.manifest .. ": it is not a clawrun backup folder", 0) end
  local ok, info = pcall(json.decode, manifest)
  if not ok or type(info) ~= "table" or type(info.sha256) ~= "string" or not info.sha256:match("^%x+$") then
    error(dir .. "/" .. M.manifest .. " is not a clawrun backup manifest", 0)
  end
  local data = files.read(dir, M.archive, {base64 = true})
  if not data then error(dir .. " holds no " .. M.archive .. ": the backup is incomplete", 0) end
  return with_temp(m, "restore", function(path)
    local piece = M.chunk // 3 * 4
    for i = 1, #data, piece do
      sh(m, 'base64 -d >> "$1"', {args = {path}, stdin = data:sub(i, i + piece - 1)})
    end
    local _, res = sh(m, [[
      set -o pipefail
      [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ] || { echo "its SHA-256 is not the manifest's" >&2; exit 4; }
      bad=$(tar -tzf "$1" | grep -v -E '^\.openclaw(/|$)' | head -3 | tr '\n' ' ')
      bad=$bad$(tar -tzf "$1" | grep -E '(^|/)\.\.(/|$)' | head -3 | tr '\n' ' ')
      [ -z "$bad" ] || { echo "it holds paths outside .openclaw: $bad" >&2; exit 5; }]],
      {args = {path, info.sha256}, check = false})
    if res.exit_code ~= 0 then
      error("the backup in " .. dir .. " cannot be restored: " .. (res.stderr or ""):gsub("%s+$", ""), 0)
    end
    -- The gateway must not write into the folder while it is replaced.
    local stopped = oc.stop(m)
    local kept = sh(m, [[
      set -e -o pipefail
      kept=""
      if [ -e "$2" ]; then kept="$2.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"; mv "$2" "$kept"; fi
      tar -xzf "$1" -C "${2%/*}" --no-same-owner
      chmod 700 "$2"; [ ! -f "$2/openclaw.json" ] || chmod 600 "$2/openclaw.json"
      echo "$kept"]], {args = {path, M.state_dir}})
    return {kept = kept ~= "" and kept or nil, stopped = #stopped > 0, files = info.files}
  end)
end

return M
