#!/usr/bin/env bash
# Issue 3's figures in a release build, through clawrun and Lua as a user runs them: create →
# running, exec round trip, and `true` on 100 machines at once against one exec; then the CPU
# that one `bash -c true` costs inside a machine, which bounds the 100 at once. Needs root (or
# user namespaces) and util-linux; prints lines starting "BENCH".
#
#   bench/local-machines.sh            # 100 machines
#   MACHINES=50 bench/local-machines.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >&2
export CLAWRUN_HOME="$(mktemp -d)" CLAWRUN_PROVIDER=local
trap 'rm -rf "$CLAWRUN_HOME"' EXIT
BIN=./.build/release/clawrun
"$BIN" bench/workflows/local-exec.lua --set machines="${MACHINES:-100}" -q
"$BIN" bench/workflows/bash-cost.lua -q
