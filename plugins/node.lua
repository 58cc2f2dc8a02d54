-- node: Node.js in /home/machine, which survives sleep (the root filesystem resets on every sleep).
--   node.install(m, opts)   the official Linux tarball of opts.node_version from opts.node_dist, checked
--                           against the release's SHASUMS256.txt, unpacked into a folder of its own, then
--                           made current by one atomic symlink switch (a failed install leaves the previous
--                           Node working); opts.node_install = "apt" uses nodesource + apt instead
--   node.version(m)         the current Node's version ("24.19.0"), or nil
--   node.supported(v)       whether OpenClaw runs on Node v, and why not
-- The gateway finds this Node through a `node` link in /home/machine/.npm-global/bin, first on the
-- PATH of the start script and of every openclaw call, so `#!/usr/bin/env node` never picks the image's.
local retry = require("retry")
local M = {}

-- The default: the current LTS line OpenClaw recommends ("Install Node 24 (recommended)",
-- src/daemon/program-args.ts).
M.default_version = "24.19.0"
M.default_dist = "https://nodejs.org/dist"
M.root = "/home/machine/.clawrun/node"
M.current = M.root .. "/current"
M.bin = M.current .. "/bin/node"
M.npm_cli = M.current .. "/lib/node_modules/npm/bin/npm-cli.js"
M.link = openclaw.layout.bin_dir .. "/node"
-- This Node first, then the PATH every openclaw call gets (openclaw.layout).
M.path = M.current .. "/bin:" .. openclaw.layout.env.PATH

local function parse(v)
  local a, b, c = tostring(v or ""):match("^v?(%d+)%.(%d+)%.(%d+)")
  if not a then return nil end
  return {tonumber(a), tonumber(b), tonumber(c)}
end

local function at_least(v, floor)
  for i = 1, 3 do
    if v[i] ~= floor[i] then return v[i] > floor[i] end
  end
  return true
end

-- OpenClaw's rule: package.json `engines.node` ">=22.14.0" and the CLI's guard (MIN_NODE 22.14.0,
-- src/infra/runtime-guard.ts); its current docs also call 23 (odd, end of life) unsupported and
-- ask for 22.22.3+, 24.15+ or 25.9+ (a warning here, since the engines rule still accepts them).
M.minimum = {22, 14, 0}
M.recommended = {[22] = {22, 22, 3}, [24] = {24, 15, 0}, [25] = {25, 9, 0}}

function M.supported(version)
  local v = parse(version)
  if not v then return false, "'" .. tostring(version) .. "' is not a Node.js version (want X.Y.Z, e.g. " .. M.default_version .. ")" end
  if not at_least(v, M.minimum) then
    return false, "Node.js " .. version .. " is older than OpenClaw's minimum 22.14.0 (engines in its package.json)"
  end
  if v[1] == 23 then return false, "Node.js 23 is unsupported by OpenClaw (end of life): use 22, 24 or 25" end
  local floor = M.recommended[v[1]]
  if floor and not at_least(v, floor) then
    return true, string.format("Node.js %s runs OpenClaw, but its docs ask for %d.%d.%d or newer", version, table.unpack(floor))
  end
  return true
end

function M.version(m)
  local out, res = exec(m, {"/bin/bash", "-c", '[ -x "$1" ] && "$1" --version', "clawrun", M.bin}, {check = false})
  if res.exit_code ~= 0 then return nil end
  return out:match("^v(%d+%.%d+%.%d+)")
end

-- Downloads, verifies and unpacks into v<version>/ beside the current one, then switches `current`
-- with a rename (atomic): a failure at any point leaves `current` as it was. Older versions than
-- the previous one are removed. The staging folder is
-- removed on every exit. `curl exit N` names curl's failure for retry.transient.
M.tarball_script = [[
ver=$1 base=${2%/} root=$3 arch=$4 link=$5
name=node-v$ver-linux-$arch dir=$root/v$ver stage=$root/.staging-v$ver
mkdir -p "$root" "${link%/*}"
rm -rf "$stage"
trap 'rm -rf "$stage"' EXIT
fetch() {
  curl -fsS --connect-timeout 20 --max-time 900 -o "$2" "$1" || { rc=$?; echo "curl exit $rc: GET $1" >&2; exit "$rc"; }
}
if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$ver" ]; then
  mkdir -p "$stage"
  fetch "$base/v$ver/SHASUMS256.txt" "$stage/SHASUMS256.txt"
  want=$(awk -v f="$name.tar.xz" '$2 == f { print $1 }' "$stage/SHASUMS256.txt")
  [ -n "$want" ] || { echo "$base/v$ver/SHASUMS256.txt lists no $name.tar.xz" >&2; exit 4; }
  fetch "$base/v$ver/$name.tar.xz" "$stage/$name.tar.xz"
  got=$(sha256sum "$stage/$name.tar.xz" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    echo "checksum mismatch: $name.tar.xz from $base has SHA-256 $got, but SHASUMS256.txt says $want" >&2
    exit 5
  fi
  tar -xJf "$stage/$name.tar.xz" -C "$stage"
  [ "$("$stage/$name/bin/node" --version)" = "v$ver" ] || { echo "the unpacked $name/bin/node does not say v$ver" >&2; exit 6; }
  rm -rf "$dir"
  mv -T "$stage/$name" "$dir"
fi
prev=$(readlink "$root/current" || true)
ln -sfn "v$ver" "$root/.current.new" && mv -T "$root/.current.new" "$root/current"
ln -sfn "$root/current/bin/node" "$link.new" && mv -T "$link.new" "$link"
# Keep the new and the previous version only: /home/machine is the machine's whole storage.
for d in "$root"/v*; do
  case "${d##*/}" in "v$ver"|"$prev") ;; *) rm -rf "$d" ;; esac
done
"$root/current/bin/node" --version]]

-- nodesource + apt into the root filesystem (reinstalled after every sleep): `current` points at /usr.
M.apt_script = [[
major=$1 root=$2 link=$3
mkdir -p "$root" "${link%/*}"
curl -fsSL "https://deb.nodesource.com/setup_$major.x" -o /tmp/nodesource-setup.sh || { rc=$?; echo "curl exit $rc" >&2; exit "$rc"; }
bash /tmp/nodesource-setup.sh 2>&1 | tail -20
DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs 2>&1 | tail -20
ln -sfn /usr "$root/.current.new" && mv -T "$root/.current.new" "$root/current"
ln -sfn "$root/current/bin/node" "$link.new" && mv -T "$link.new" "$link"
/usr/bin/node --version]]

function M.install(m, opts)
  opts = opts or {}
  local version = opts.node_version or M.default_version
  local ok, why = M.supported(version)
  if not ok then error("--set node_version=" .. tostring(version) .. ": " .. why, 0) end
  if why then log.warn(why) end
  local attempts = {attempts = opts.attempts, delay = opts.retry_delay, timeout = 1200}
  if opts.node_install == "apt" then
    attempts.args = {tostring(parse(version)[1]), M.root, M.link}
    retry.run(m, "Node.js install (nodesource + apt)", M.apt_script, attempts)
  else
    local arch = exec(m, {"/bin/uname", "-m"})
    arch = ({x86_64 = "x64", aarch64 = "arm64"})[arch] or arch
    attempts.args = {version, opts.node_dist or M.default_dist, M.root, arch, M.link}
    retry.run(m, "Node.js " .. version .. " install", M.tarball_script, attempts)
  end
  local now = M.version(m)
  if not now then error("Node.js does not run on " .. m.id .. " after its install", 0) end
  if opts.node_install ~= "apt" and now ~= version then
    error("Node.js on " .. m.id .. " says " .. now .. " after installing " .. version, 0)
  end
  log.info("Node.js " .. now .. " installed in " .. M.root)
  return now
end

return M
