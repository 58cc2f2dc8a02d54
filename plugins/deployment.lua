-- deployment: the record a clawrun deploy leaves in a machine, which marks it as serving a
-- clawrun-deployed gateway (wake-recover, status and upgrade act only on machines that have one).
--   deployment.path              /home/machine/.clawrun/deployment.json (persistent storage, mode 600)
--   deployment.read(m)           the record as a table, or nil when the machine has none
--   deployment.record(m, fields) merges fields into the record (one atomic write) and returns it
--   deployment.differences(before, f)  the recorded fields of an install (deployment.fields) that differ
--                                from the record `before`, by name: timestamps are not compared
--   deployment.installed(m, f, before)  records an install: OpenClaw version and source, Node version and
--                                where it came from, the registry, the install time (and the version it
--                                replaced); `before` is the record as just read ({} for none), which saves a read
-- Fields: openclaw_version, previous_openclaw_version, install ("npm" or "simulator"), node_version,
-- node_dist, node_install ("tarball" or "apt"), registry, installed_at and deployed_at (RFC 3339, UTC),
-- port, and whatever else a workflow adds.
-- The record holds no secret: the gateway token stays in CLAWRUN_HOME/tokens on the operator's side.
local M = {}

M.path = "/home/machine/.clawrun/deployment.json"

function M.read(m)
  local out, res = exec(m, {"/bin/bash", "-c", '[ -e "$1" ] || exit 3; /bin/cat -- "$1"', "clawrun", M.path},
                        {check = false})
  if res.exit_code == 3 then return nil end
  if res.exit_code ~= 0 then
    error("cannot read " .. M.path .. " on " .. m.id .. ": " .. (res.stderr or ""):sub(1, 200), 0)
  end
  local ok, record = pcall(json.decode, out)
  if not ok or type(record) ~= "table" then
    error(M.path .. " on " .. m.id .. " is not a JSON object: delete it or redeploy the machine", 0)
  end
  return record
end

-- Writes the whole record in one atomic write (mode 600).
local function write(m, record)
  exec(m, {"/bin/bash", "-c",
           'set -e; umask 077; /bin/mkdir -p "${1%/*}"; /bin/cat > "$1.tmp"; /bin/mv -f "$1.tmp" "$1"',
           "clawrun", M.path},
       {stdin = json.encode(record)})
  return record
end

function M.record(m, fields)
  local record = M.read(m) or {}
  for k, v in pairs(fields) do record[k] = v end
  return write(m, record)
end

function M.timestamp()
  return os.date("!%Y-%m-%dT%H:%M:%SZ")
end

-- What an install records; an absent one (node_version of a simulator install) is removed.
M.fields = {"openclaw_version", "install", "node_version", "node_dist", "node_install", "registry", "port"}

function M.differences(before, f)
  before = before or {}
  local differ = {}
  for _, k in ipairs(M.fields) do
    if before[k] ~= f[k] then differ[#differ + 1] = k end
  end
  return differ
end

function M.installed(m, f, before)
  before = before or M.read(m) or {}
  local record = {}
  for k, v in pairs(before) do record[k] = v end
  for _, k in ipairs(M.fields) do record[k] = f[k] end
  if before.openclaw_version ~= f.openclaw_version or before.install ~= f.install then
    record.installed_at = M.timestamp()
    record.previous_openclaw_version = before.openclaw_version
  end
  for k, v in pairs(f.extra or {}) do record[k] = v end
  return write(m, record)
end

return M
