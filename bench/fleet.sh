#!/usr/bin/env bash
# Fleet benchmark over `clawrun serve --latency-ms 20` (the Dedalus API over local machines):
#  1. a wake-recover-like workflow (wake if asleep, wait running, exec one command) over 200
#     sleeping machines with --parallel 50, against one machine alone timed in the same run (the
#     median of 5 machines recovered one at a time);
#     the target is 200 machines in at most 1.5 × (200/50) × one machine's time. Run twice:
#     with every machine asleep (each wake boots a local sandbox on this host's CPUs), then again
#     with them all running (get + exec only); the host's CPU use during each is printed too;
#  2. clawrun's own peak memory (max RSS, /usr/bin/time -v) over 1,000 targets given as
#     --machines @FILE, each read once in a step; the target is under 200 MB.
# Machines live in a temporary CLAWRUN_HOME and are all deleted at the end. Prints "BENCH" lines.
#
#   bench/fleet.sh                       # 200 + 5 machines, then 1,000
#   FLEET=100 PARALLEL=25 TARGETS=500 bench/fleet.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FLEET=${FLEET:-200}
PARALLEL=${PARALLEL:-50}
TARGETS=${TARGETS:-1000}
LATENCY_MS=${LATENCY_MS:-20}
ALONE=5

CONFIG=${CONFIG:-release}
swift build -c "$CONFIG" --product clawrun >&2
BIN="$(swift build -c "$CONFIG" --show-bin-path)/clawrun"
WORK=$(mktemp -d)
export CLAWRUN_HOME="$WORK/home"
SERVE_PID=

ids() { "$BIN" machines list --json | python3 -c 'import json,sys; print("\n".join(m["machine_id"] for m in json.load(sys.stdin)))'; }

cleanup() {
    if [[ -n "$SERVE_PID" ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
        ids > "$WORK/all.txt" || true
        if [[ -s "$WORK/all.txt" ]]; then
            "$BIN" machines delete --yes --machines "@$WORK/all.txt" > /dev/null || true
        fi
        kill -TERM "$SERVE_PID"
        wait "$SERVE_PID" || true
    fi
    # Whatever the API could not delete, the local provider can (same CLAWRUN_HOME).
    if [[ -d "$CLAWRUN_HOME/machines" ]]; then
        left=$(ls "$CLAWRUN_HOME/machines" | grep -v '\.json$' || true)
        if [[ -n "$left" ]]; then
            CLAWRUN_PROVIDER=local DEDALUS_API_KEY= "$BIN" machines delete --provider local --yes $left > /dev/null || true
        fi
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" serve --port 0 --latency-ms "$LATENCY_MS" > "$WORK/serve.out" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do grep -q "http://" "$WORK/serve.out" && break; sleep 0.1; done
PORT=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/serve.out")
export CLAWRUN_PROVIDER=dedalus DEDALUS_BASE_URL="http://127.0.0.1:$PORT" DEDALUS_API_KEY=bench-any-key
echo "serve on port $PORT with ${LATENCY_MS} ms latency; CLAWRUN_HOME=$CLAWRUN_HOME" >&2

# 1. Wake-recover over FLEET sleeping machines, plus the ones timed alone.
"$BIN" bench/fleet/create.lua --set count=$((FLEET + ALONE)) --parallel "$PARALLEL" -q
ids > "$WORK/fleet.txt"
cpu() { awk '/^cpu /{print $2+$3+$4, $5+$6}' /proc/stat; }
wake() {
    read -r busy0 idle0 < <(cpu)
    "$BIN" bench/fleet/wake.lua --machines "@$WORK/fleet.txt" --parallel "$PARALLEL" --set alone=$ALONE --json -q \
        > "$WORK/wake.jsonl"
    read -r busy1 idle1 < <(cpu)
    python3 - "$WORK/wake.jsonl" "$PARALLEL" "$1" $((busy1 - busy0)) $((idle1 - idle0)) "$ALONE" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
result = next(e for e in events if e["event"] == "result")
v, parallel, label = result["value"], int(sys.argv[2]), sys.argv[3]
busy, idle, alone = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
budget = 1.5 * (v["count"] / parallel) * v["one"]
print(f"BENCH wake-recover ({label}): one machine {v['one']:.3f} s (median of {alone} alone); {v['count']} machines with --parallel {parallel}: "
      f"{v['fleet']:.3f} s (= {v['fleet'] / v['one']:.2f} × one); budget 1.5 × ({v['count']}/{parallel}) × one = "
      f"{budget:.3f} s: {'met' if v['fleet'] <= budget else 'MISSED'}; host CPU busy {100 * busy / max(1, busy + idle):.0f}%")
PY
}
wake "all asleep"
wake "all running"

# 2. Peak memory of clawrun itself with TARGETS targets (the woken ones asleep again, more created).
"$BIN" bench/fleet/sleep.lua --all --parallel "$PARALLEL" -q
"$BIN" bench/fleet/create.lua --set count=$((TARGETS - FLEET - ALONE)) --parallel "$PARALLEL" -q
ids > "$WORK/targets.txt"
/usr/bin/time -v "$BIN" bench/fleet/touch.lua --machines "@$WORK/targets.txt" --parallel "$PARALLEL" -q \
    2> "$WORK/time.txt" || { cat "$WORK/time.txt" >&2; exit 1; }
RSS=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
WALL=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
RECAP=$(grep "^RECAP" "$WORK/time.txt" || true)
echo "BENCH memory: $(wc -l < "$WORK/targets.txt") targets, --parallel $PARALLEL: max RSS $((RSS / 1024)) MB" \
     "(target < 200 MB: $([[ $RSS -lt 204800 ]] && echo met || echo MISSED)); wall $WALL; $RECAP"
