#!/usr/bin/env bash
# Issue 13's figure: a pure-Lua loop of 10^8 iterations with clawrun's interrupt support on and
# off (CLAWRUN_LUA_INTERRUPT=off), alternating, in one run of a release build; then the
# lua-runtime figures. With BASELINE=/path/to/an/older/clawrun, the same loop and figures with
# that binary too (e.g. BASELINE=/work/main/.build/release/clawrun).
# Usage: bench/lua-interrupt.sh [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
swift build -c release --product clawrun >/dev/null
export CLAWRUN_HOME="$(mktemp -d)" CLAWRUN_PROVIDER=local
trap 'rm -rf "$CLAWRUN_HOME"' EXIT
loop() { "$@" bench/workflows/busy-loop.lua -q | sed -n 's/.*loop: \([0-9.]*\) s CPU/\1/p'; }
declare -a on off base
for ((i = 0; i < rounds; i++)); do
  on+=("$(loop ./.build/release/clawrun)")
  off+=("$(CLAWRUN_LUA_INTERRUPT=off loop ./.build/release/clawrun)")
  if [[ -n "${BASELINE:-}" ]]; then base+=("$(loop "$BASELINE")"); fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_on=$(median "${on[@]}"); m_off=$(median "${off[@]}")
echo "BENCH 10^8-iteration pure-Lua loop, interrupts on:  ${on[*]} s (median $m_on)"
echo "BENCH 10^8-iteration pure-Lua loop, interrupts off: ${off[*]} s (median $m_off)"
awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "BENCH on / off: %.3f× (target ≤ 1.1×)\n", a / b}'
if [[ -n "${BASELINE:-}" ]]; then
  m_base=$(median "${base[@]}")
  echo "BENCH 10^8-iteration pure-Lua loop, $BASELINE: ${base[*]} s (median $m_base)"
  awk -v a="$m_on" -v b="$m_base" 'BEGIN {printf "BENCH this build / baseline: %.3f×\n", a / b}'
fi
for bin in ./.build/release/clawrun ${BASELINE:-}; do
  echo "BENCH lua-runtime figures of $bin:"
  "$bin" bench/workflows/parallel-sleep.lua
  "$bin" bench/workflows/host-call.lua
done
