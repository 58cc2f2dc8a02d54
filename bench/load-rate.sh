#!/usr/bin/env bash
# Benchmarks load-test's arrival-rate generator (the Python program sent into the machine) against
# the OpenClaw simulator on one local machine, and compares it in the same run with the closed loop
# it replaces as the default (curl's parallel mode):
#   1. rate mode at RATE requests/s for DURATION: sent vs scheduled (target within 2 %), late,
#      dropped, send lag and latency percentiles,
#   2. the ceiling: rates from CEILING_FROM up by CEILING_STEP, CEILING_DURATION each, until one is
#      not sustained (dropped requests, throughput more than 2 % under the rate, or a send lag p99
#      over 10 ms),
#   3. closed mode with CONCURRENCY in flight (curl --parallel): its requests/s.
#
#   CLAWRUN=.build-release/release/clawrun bench/load-rate.sh     # RATE=5000 DURATION=10s CONCURRENCY=16
#
# Use a release build (`swift build -c release --build-path .build-release`): the machine runs the
# simulator built beside CLAWRUN. Its own CLAWRUN_HOME, deleted at the end with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-5000}
DURATION=${DURATION:-10s}
CONCURRENCY=${CONCURRENCY:-16}
CEILING_FROM=${CEILING_FROM:-5000}
CEILING_STEP=${CEILING_STEP:-2500}
CEILING_MAX=${CEILING_MAX:-40000}
CEILING_DURATION=${CEILING_DURATION:-5s}
CLAWRUN=${CLAWRUN:-.build-release/release/clawrun}
[[ -x $CLAWRUN ]] || { echo "no $CLAWRUN: run swift build -c release --build-path .build-release first (or set CLAWRUN)" >&2; exit 2; }

export CLAWRUN_HOME=$(mktemp -d) CLAWRUN_PROVIDER=local
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OPENROUTER_API_KEY DEDALUS_API_KEY DEDALUS_X_API_KEY
ID=
cleanup() {
    if [[ -n $ID ]]; then
        printf '%s\n' 'for _, m in ipairs(targets()) do machine.delete(m); wait_phase(m, "destroyed") end' \
            > "$CLAWRUN_HOME/cleanup.lua"
        "$CLAWRUN" "$CLAWRUN_HOME/cleanup.lua" --machine "$ID" -q >/dev/null 2>&1 || true
    fi
    rm -rf "$CLAWRUN_HOME"
}
trap cleanup EXIT

# An offline custom OpenAI-compatible provider: every chat is answered, no LLM key needed.
"$CLAWRUN" workflows/deploy.lua --json --set greet=false --set base_url=http://127.0.0.1:11434/v1 \
    > "$CLAWRUN_HOME/deploy.json" 2> "$CLAWRUN_HOME/deploy.err" || { cat "$CLAWRUN_HOME/deploy.err" >&2; exit 1; }
ID=$(grep -m1 '"machine_created"' "$CLAWRUN_HOME/deploy.json" | sed 's/.*"machine":"\([^"]*\)".*/\1/')

# Prints one line about a --json result; exit 1 when the rate was not sustained.
summary() {
    python3 - "$1" "$2" <<'PY'
import json, sys
value = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "result":
        value = e["value"]
if value is None:
    print("no result"); sys.exit(1)
r = value["reports"][0]
l = r["latency_ms"]
if r["mode"] != "rate":
    print(f"closed loop (curl --parallel, concurrency {r['concurrency']}): {r['throughput']:.0f} req/s, "
          f"{r['requests']} requests, {r['errors']} errors; latency ms p50 {l['p50']:.2f} p99 {l['p99']:.2f}")
    sys.exit(0)
rate = float(sys.argv[2])
lag = r.get("lag_ms", {}).get("p99", 0)
got = r["requests"] / r["duration"] if r["duration"] else 0
ok = r["dropped"] == 0 and r["errors"] == 0 and abs(got - rate) <= 0.02 * rate and lag <= 10
print(f"rate {rate:.0f}/s: sent {r['requests']} of {r['scheduled']} scheduled in {r['duration']:.2f} s "
      f"= {got:.0f} req/s ({100 * got / rate:.2f} %), late {r['late']}, dropped {r['dropped']}, errors {r['errors']}, "
      f"send lag p99 {lag:.2f} ms; latency ms p50 {l['p50']:.2f} p99 {l['p99']:.2f} p99.9 {l['p999']:.2f} max {l['max']:.2f}"
      f" -> {'sustained' if ok else 'NOT sustained'}")
sys.exit(0 if ok else 1)
PY
}

run_rate() {
    "$CLAWRUN" workflows/load-test.lua --machine "$ID" --json --set rate="$1" --set duration="$2" --set max_in_flight=256 \
        > "$CLAWRUN_HOME/rate.json" 2> "$CLAWRUN_HOME/rate.err" || { tail -5 "$CLAWRUN_HOME/rate.err" >&2; return 1; }
    summary "$CLAWRUN_HOME/rate.json" "$1"
}

echo "== requested rate"
run_rate "$RATE" "$DURATION" || true
echo "== ceiling (${CEILING_DURATION} per step)"
ceiling=0
for ((r = CEILING_FROM; r <= CEILING_MAX; r += CEILING_STEP)); do
    if run_rate "$r" "$CEILING_DURATION"; then ceiling=$r; else break; fi
done
echo "ceiling: ${ceiling} req/s sustained"
echo "== baseline: the closed loop"
"$CLAWRUN" workflows/load-test.lua --machine "$ID" --json --set mode=closed --set requests=50000 \
    --set concurrency="$CONCURRENCY" > "$CLAWRUN_HOME/closed.json" 2> "$CLAWRUN_HOME/closed.err" \
    || { tail -5 "$CLAWRUN_HOME/closed.err" >&2; exit 1; }
summary "$CLAWRUN_HOME/closed.json" 0
