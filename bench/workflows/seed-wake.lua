-- seed-wake: the seed's wake procedure, the baseline of bench/wake-npm.sh. It wakes the target,
-- reinstalls Node.js into the root filesystem that the sleep reset (the seed runs nodesource + apt;
-- offline, the same official tarball from the dist stand-in, unpacked into /opt/node), waits the
-- seed's fixed `sleep 10`, starts the gateway and waits for /healthz.
local p = params{
  dist = {"", doc = "the Node.js dist folder (the stand-in's)"},
  node_version = {"24.19.0", doc = "the Node.js version to reinstall"},
}
local m = targets()[1]
machine.wake(m)
wait_phase(m, "running", {timeout = 120})
require("provision").wait_agent(m)
exec(m, {"/bin/bash", "-c", [[
  set -euo pipefail
  curl -fsS -o /tmp/node.tar.xz "$1/v$2/node-v$2-linux-x64.tar.xz"
  mkdir -p /opt/node
  tar -xJf /tmp/node.tar.xz -C /opt/node --strip-components=1
  /opt/node/bin/node --version]], "seed-wake", p.dist, p.node_version}, {timeout = 600})
-- The seed's fixed pause for the install to settle.
exec(m, {"/bin/sleep", "10"}, {timeout = 60})
local oc = require("openclaw")
oc.start(m, {})
