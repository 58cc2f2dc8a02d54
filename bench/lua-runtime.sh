#!/usr/bin/env bash
# Issue 2's figures: parallel sleeps and the cost of a host call, in a release build.
# Usage: bench/lua-runtime.sh   (builds .build/release/clawrun first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product clawrun >/dev/null
export CLAWRUN_HOME="$(mktemp -d)"
trap 'rm -rf "$CLAWRUN_HOME"' EXIT
./.build/release/clawrun bench/workflows/parallel-sleep.lua
./.build/release/clawrun bench/workflows/host-call.lua
