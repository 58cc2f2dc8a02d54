#!/usr/bin/env bash
# Benchmarks the OpenClaw workflows on a local machine with the simulator:
#   1. deploy from nothing to the first chat reply (target < 1 s), the model served by an offline
#      custom OpenAI-compatible provider (--set base_url=http://127.0.0.1:11434/v1, no LLM key),
#   2. load-test inside mode, requests/s against the simulator with no reply delay (target >= 1,000),
#      one session per virtual user,
#   3. clawrun's own share of each end-to-end request (load-test exec mode),
#   4. rotate-token on that machine: new token set in one write, restart awaited, checked on
#      GET /v1/models (target < 2 s), ROTATIONS times.
#
#   bench/deploy.sh                        # REQUESTS=5000 CONCURRENCY=16 EXEC_REQUESTS=200 ROTATIONS=5
#   CLAWRUN=.build/release/clawrun bench/deploy.sh
#
# Uses the debug build in .build/debug unless CLAWRUN names another; its own CLAWRUN_HOME, deleted
# at the end together with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-5000}
CONCURRENCY=${CONCURRENCY:-16}
EXEC_REQUESTS=${EXEC_REQUESTS:-200}
ROTATIONS=${ROTATIONS:-5}
CLAWRUN=${CLAWRUN:-.build/debug/clawrun}
[[ -x $CLAWRUN ]] || { echo "no $CLAWRUN: run swift build first" >&2; exit 2; }

export CLAWRUN_HOME=$(mktemp -d) CLAWRUN_PROVIDER=local
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OPENROUTER_API_KEY DEDALUS_API_KEY DEDALUS_X_API_KEY
ID=
# Deletes the machine and waits until it is destroyed, in one run (the teardown happens in the
# process that asked for it).
cleanup() {
    if [[ -n $ID ]]; then
        printf '%s\n' 'for _, m in ipairs(targets()) do machine.delete(m); wait_phase(m, "destroyed") end' \
            > "$CLAWRUN_HOME/cleanup.lua"
        "$CLAWRUN" "$CLAWRUN_HOME/cleanup.lua" --machine "$ID" -q >/dev/null 2>&1 || true
    fi
    rm -rf "$CLAWRUN_HOME"
}
trap cleanup EXIT

start=$(date +%s.%N)
"$CLAWRUN" workflows/deploy.lua --json --set base_url=http://127.0.0.1:11434/v1 \
    > "$CLAWRUN_HOME/deploy.json" 2> "$CLAWRUN_HOME/deploy.err"
end=$(date +%s.%N)
ID=$(grep -m1 '"machine_created"' "$CLAWRUN_HOME/deploy.json" | sed 's/.*"machine":"\([^"]*\)".*/\1/')
first_reply=$(grep -m1 '< Echo' "$CLAWRUN_HOME/deploy.err" || true)
[[ -n $first_reply ]] || { cat "$CLAWRUN_HOME/deploy.err" >&2; exit 1; }
# The time to the first reply is read from the event stream: the end of the first chat.
deploy_total=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
first_chat=$(python3 - "$CLAWRUN_HOME/deploy.json" "$start" <<'PY'
import json, sys
start = float(sys.argv[2])
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "log" and str(e.get("message", "")).startswith("< "):
        print("%.2f" % (e["time"] - start)); break
PY
)

"$CLAWRUN" workflows/load-test.lua --machine "$ID" --json --set mode=closed --set requests="$REQUESTS" --set concurrency="$CONCURRENCY" \
    > "$CLAWRUN_HOME/load.json" 2> "$CLAWRUN_HOME/load.err"
"$CLAWRUN" workflows/load-test.lua --machine "$ID" --json --set mode=exec --set requests="$EXEC_REQUESTS" \
    --set concurrency=4 > "$CLAWRUN_HOME/exec.json" 2> "$CLAWRUN_HOME/exec.err"

rotations=()
for _ in $(seq "$ROTATIONS"); do
    s=$(date +%s.%N)
    "$CLAWRUN" workflows/rotate-token.lua --machine "$ID" -q > /dev/null 2> "$CLAWRUN_HOME/rotate.err" \
        || { cat "$CLAWRUN_HOME/rotate.err" >&2; exit 1; }
    e=$(date +%s.%N)
    rotations+=("$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')")
done

python3 - "$CLAWRUN_HOME/load.json" "$CLAWRUN_HOME/exec.json" "$deploy_total" "$first_chat" "${rotations[@]}" <<'PY'
import json, sys
def report(path):
    for line in open(path):
        e = json.loads(line)
        if e.get("event") == "result":
            return e["value"]["reports"][0]
inside, ex = report(sys.argv[1]), report(sys.argv[2])
l, s, el = inside["latency_ms"], ex["clawrun_share_ms"], ex["latency_ms"]
print(f"deploy, nothing to first chat reply (offline custom provider): {sys.argv[4]} s "
      f"(whole deploy incl. second chat: {sys.argv[3]} s; target < 1 s)")
print(f"load-test inside: {inside['throughput']:.0f} req/s ({inside['requests']} requests, concurrency {inside['concurrency']}, "
      f"{inside['errors']} errors; target >= 1000); latency ms p50 {l['p50']:.2f} p99 {l['p99']:.2f} max {l['max']:.2f}")
print(f"load-test exec: {ex['throughput']:.1f} req/s end to end; per request ms p50 {el['p50']:.2f} p99 {el['p99']:.2f}")
print(f"clawrun's share per end-to-end request (exec wall - in-machine curl time): p50 {s['p50']:.2f} ms, p90 {s['p90']:.2f} ms, p99 {s['p99']:.2f} ms")
rot = sorted(float(x) for x in sys.argv[5:])
if rot:
    print(f"rotate-token, one machine, whole clawrun run: median {rot[len(rot) // 2]:.3f} s, min {rot[0]:.3f} s, "
          f"max {rot[-1]:.3f} s over {len(rot)} runs (target < 2 s)")
PY
