#!/usr/bin/env bash
# Exec-polling benchmark against ONE `clawrun serve --latency-ms 20` (the Dedalus Machines API over
# local machines), in one run:
#  1. the round trip of one API request (curl, GET /v1/machines/{id}, connection reused);
#  2. clawrun: exec "sleep 0.3" ×5 on one running machine: median wall time against the target
#     0.3 s + 5 round trips; status requests per exec (res.polls, and the server's counters);
#  3. clawrun: exec "sleep 10": status requests (target ≤ 15) and wall time;
#  4. clawrun: 200 concurrent execs of "sleep 1" over 10 machines (parallel, limit 200): wall
#     time, connections accepted and most open at once on the server (target: a few dozen);
#  5. the seed's algorithm (create, poll every 1 s, read output) with the official Python SDK
#     (Tests/DedalusAPITests/sdk_seed_exec.py): "sleep 0.3" ×5 (median) and "sleep 10";
#  6. a table; then the machines are deleted and the server stopped (trap on exit), and the
#     script checks that no machine and no `clawrun serve` of its own remain.
# Server counters are reset before each phase (POST /__clawrun/stats/reset) and read after it.
# Builds nothing: uses CLAWRUN_BIN, else .build/release/clawrun when it exists and is newer than
# .build/debug/clawrun, else .build/debug/clawrun.
#
#   bench/dedalus-poll.sh
#   MACHINES=10 FAN=200 LATENCY_MS=20 bench/dedalus-poll.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MACHINES=${MACHINES:-10}
FAN=${FAN:-200}
LATENCY_MS=${LATENCY_MS:-20}
RUNS=${RUNS:-5}
SDK_SCRIPT=${SDK_SCRIPT:-$ROOT/Tests/DedalusAPITests/sdk_seed_exec.py}
WORKFLOW=$ROOT/bench/workflows/poll-exec.lua

if [[ -z "${CLAWRUN_BIN:-}" ]]; then
    # A worktree has no .build of its own: fall back to the main checkout's.
    for dir in "$ROOT" /work/main; do
        if [[ -x "$dir/.build/debug/clawrun" || -x "$dir/.build/release/clawrun" ]]; then
            CLAWRUN_BIN=$dir/.build/debug/clawrun
            if [[ -x "$dir/.build/release/clawrun" && ( ! -x "$CLAWRUN_BIN" || "$dir/.build/release/clawrun" -nt "$CLAWRUN_BIN" ) ]]; then
                CLAWRUN_BIN=$dir/.build/release/clawrun
            fi
            break
        fi
    done
fi
BIN=${CLAWRUN_BIN:?no clawrun binary found; build it or set CLAWRUN_BIN}
echo "binary: $BIN ($(date -r "$BIN" '+%F %T'))" >&2

WORK=$(mktemp -d)
KEY="bench-poll-$$-$RANDOM"
SERVE_HOME=$WORK/serve-home
SERVE_PID=
URL=

admin() { curl -sf -H "Authorization: Bearer $KEY" "$@"; }
stats_reset() { admin -X POST "$URL/__clawrun/stats/reset" > /dev/null; }
stats_save() { admin "$URL/__clawrun/stats" > "$WORK/$1.stats.json"; }

# run_lua NAME mode=... [key=value...]: one clawrun run with its own CLAWRUN_HOME; the workflow's
# return value goes to $WORK/NAME.value.json.
run_lua() {
    local name=$1; shift
    local sets=()
    for kv in "$@"; do sets+=(--set "$kv"); done
    CLAWRUN_HOME=$(mktemp -d -p "$WORK") DEDALUS_BASE_URL=$URL DEDALUS_API_KEY=$KEY \
        "$BIN" "$WORKFLOW" --provider dedalus --json -q "${sets[@]}" > "$WORK/$name.jsonl" 2> "$WORK/$name.err" || {
        echo "clawrun phase $name failed:" >&2; tail -5 "$WORK/$name.err" "$WORK/$name.jsonl" >&2; return 1; }
    python3 -c '
import json, sys
result = [e for e in map(json.loads, filter(str.strip, open(sys.argv[1]))) if e.get("event") == "result"][-1]
json.dump(result.get("value"), open(sys.argv[2], "w"))' "$WORK/$name.jsonl" "$WORK/$name.value.json"
}

IDS=
cleanup() {
    local rc=$?
    set +e
    if [[ -n "$SERVE_PID" ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
        if [[ -n "$IDS" ]]; then
            run_lua teardown mode=teardown "ids=$IDS" \
                || for id in ${IDS//,/ }; do admin -X DELETE "$URL/v1/machines/$id" > /dev/null; done
        fi
        # Machines left on the server: any not destroyed (also ones a failed setup made).
        left=$(admin "$URL/v1/machines?limit=1000" | python3 -c '
import json, sys
body = json.load(sys.stdin)
items = body.get("items", body.get("data", [])) if isinstance(body, dict) else body
print(" ".join(m["machine_id"] for m in items if m.get("status", {}).get("phase") != "destroyed"))')
        echo "machines left on the server after teardown: ${left:-none}" >&2
        kill -TERM "$SERVE_PID"
        wait "$SERVE_PID" 2>/dev/null
    fi
    # Whatever the API could not delete, the local provider can (the server's CLAWRUN_HOME).
    if [[ -d "$SERVE_HOME/machines" ]]; then
        local_left=$(CLAWRUN_HOME=$SERVE_HOME "$BIN" machines list --provider local --json 2>/dev/null \
            | python3 -c 'import json,sys; print(" ".join(m["machine_id"] for m in json.load(sys.stdin) if m.get("phase") != "destroyed"))' 2>/dev/null)
        if [[ -n "$local_left" ]]; then
            echo "local machines left: $local_left (deleting)" >&2
            CLAWRUN_HOME=$SERVE_HOME "$BIN" machines delete --provider local --yes $local_left > /dev/null
        else
            echo "local machines left: none" >&2
        fi
    fi
    if [[ -n "$SERVE_PID" ]]; then
        mine=$(pgrep -f "clawrun serve" | grep -x "$SERVE_PID" || true)
        strays=$(pgrep -f "$WORK" || true)
        echo "after stop: clawrun serve pid $SERVE_PID ${mine:+STILL RUNNING}${mine:-gone}; processes naming $WORK: ${strays:-none}" >&2
        echo "all 'clawrun serve' processes now: $(pgrep -f 'clawrun serve' | tr '\n' ' ' || true)" >&2
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$SERVE_HOME"
CLAWRUN_HOME=$SERVE_HOME CLAWRUN_SERVE_API_KEY=$KEY "$BIN" serve --port 0 --latency-ms "$LATENCY_MS" > "$WORK/serve.out" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do grep -q "127.0.0.1:" "$WORK/serve.out" && break; sleep 0.1; done
PORT=$(sed -n 's|.*127\.0\.0\.1:\([0-9]*\).*|\1|p' "$WORK/serve.out" | head -1)
[[ -n "$PORT" ]] || { echo "serve did not start:" >&2; cat "$WORK/serve.out" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
echo "serve pid $SERVE_PID on $URL with --latency-ms $LATENCY_MS" >&2

# Setup: MACHINES running machines.
t0=$(date +%s.%N)
run_lua setup mode=setup "count=$MACHINES"
IDS=$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))))' "$WORK/setup.value.json")
FIRST=${IDS%%,*}
echo "setup: $MACHINES machines running in $(python3 -c "import time;print(round(time.time()-$t0,1))") s" >&2

# 1. Round trip: 1 GET on a new connection, then 20 on the same connection (curl reuses it).
urls=()
for _ in $(seq 21); do urls+=(-o /dev/null "$URL/v1/machines/$FIRST"); done
curl -s -H "Authorization: Bearer $KEY" -w '%{time_total} %{num_connects}\n' "${urls[@]}" > "$WORK/rtt.txt"

# 2. clawrun: RUNS × sleep 0.3.
stats_reset; run_lua short mode=short "ids=$FIRST" "runs=$RUNS"; stats_save short
# 3. clawrun: sleep 10.
stats_reset; run_lua long mode=long "ids=$FIRST"; stats_save long
# 4. clawrun: FAN concurrent sleep 1 over the machines.
stats_reset; run_lua fan mode=fan "ids=$IDS" "n=$FAN"; stats_save fan

# 5. The seed's algorithm with the Python SDK.
export DEDALUS_BASE_URL=$URL DEDALUS_API_KEY=$KEY
stats_reset
for i in $(seq "$RUNS"); do python3 "$SDK_SCRIPT" "$FIRST" "sleep 0.3" >> "$WORK/sdk_short.jsonl"; done
stats_save sdk_short
stats_reset
python3 "$SDK_SCRIPT" "$FIRST" "sleep 10" > "$WORK/sdk_long.jsonl"
stats_save sdk_long

# 6. Table.
python3 - "$WORK" "$RUNS" "$FAN" "$MACHINES" "$LATENCY_MS" <<'PY'
import json, statistics, sys
work, runs, fan, machines, latency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
load = lambda n: json.load(open(f"{work}/{n}"))
STATUS = "GET /v1/machines/{machine_id}/executions/{execution_id}"
def routes(stats, part="/executions"):
    return sum(v for k, v in stats["requests_by_route"].items() if part in k)

rtt = [tuple(map(float, l.split())) for l in open(f"{work}/rtt.txt")]
rtt_new, rtt_reused = rtt[0][0], statistics.median(t for t, c in rtt[1:])
reconnects = sum(1 for t, c in rtt[1:] if c > 0)

short, s_short = load("short.value.json"), load("short.stats.json")
long_, s_long = load("long.value.json"), load("long.stats.json")
fanv, s_fan = load("fan.value.json"), load("fan.stats.json")
sdk_short = [json.loads(l) for l in open(f"{work}/sdk_short.jsonl")]
sdk_long = [json.loads(l) for l in open(f"{work}/sdk_long.jsonl")][0]
s_sdk_short, s_sdk_long = load("sdk_short.stats.json"), load("sdk_long.stats.json")

target = 0.3 + 5 * rtt_reused
med_short = statistics.median(r["wall"] for r in short)
med_dur = statistics.median(r["duration"] for r in short)
rows = [
    ("round trip, GET /v1/machines/{id} (latency %s ms)" % latency,
     f"{rtt_reused * 1000:.1f} ms reused conn (median of {len(rtt) - 1}); {rtt_new * 1000:.1f} ms new conn", ""),
    (f"clawrun sleep 0.3: wall, median of {runs}",
     f"{med_short:.3f} s (res.duration {med_dur:.3f} s); all: " + ", ".join(f"{r['wall']:.3f}" for r in short),
     f"0.3 + 5 RTT = {target:.3f} s: {'met' if med_short <= target else 'MISSED'}"),
    ("clawrun sleep 0.3: status requests / exec",
     f"res.polls {[r['polls'] for r in short]}; server {s_short['requests_by_route'].get(STATUS, 0) / runs:g} "
     f"status GETs, {routes(s_short) / runs:g} exec-route requests, {s_short['requests'] / runs:g} total", ""),
    ("clawrun sleep 10: wall", f"{long_['wall']:.3f} s (res.duration {long_['duration']:.3f} s)", ""),
    ("clawrun sleep 10: status requests",
     f"res.polls {long_['polls']}; server {s_long['requests_by_route'].get(STATUS, 0)} status GETs, "
     f"{routes(s_long)} exec-route requests, {s_long['requests']} total",
     f"≤ 15: {'met' if s_long['requests_by_route'].get(STATUS, 0) <= 15 else 'MISSED'}"),
    (f"clawrun {fan} × sleep 1 over {machines} machines: wall",
     f"{fanv['wall']:.3f} s ({fanv['ok']}/{fanv['n']} ok; slowest exec {fanv['slowest']:.3f} s)", ""),
    (f"clawrun {fan} × sleep 1: connections",
     f"{s_fan['connections_accepted']} accepted, {s_fan['max_open_connections']} open at most",
     "a few dozen"),
    (f"clawrun {fan} × sleep 1: requests",
     f"{s_fan['requests']} total; {s_fan['requests_by_route'].get(STATUS, 0)} status GETs; res.polls sum {fanv['polls']}", ""),
    (f"python SDK seed sleep 0.3: wall, median of {runs}",
     f"{statistics.median(r['wall'] for r in sdk_short):.3f} s; all: " + ", ".join(f"{r['wall']:.3f}" for r in sdk_short), ""),
    ("python SDK seed sleep 0.3: requests / exec",
     f"{s_sdk_short['requests'] / runs:g} total ({s_sdk_short['requests_by_route'].get(STATUS, 0) / runs:g} status GETs); "
     f"connections {s_sdk_short['connections_accepted'] / runs:g}", ""),
    ("python SDK seed sleep 10: wall", f"{sdk_long['wall']:.3f} s", ""),
    ("python SDK seed sleep 10: requests",
     f"{s_sdk_long['requests']} total ({s_sdk_long['requests_by_route'].get(STATUS, 0)} status GETs); "
     f"connections {s_sdk_long['connections_accepted']}", ""),
]
w = max(len(r[0]) for r in rows)
print()
for name, value, tgt in rows:
    print(f"BENCH {name:<{w}}  {value}" + (f"   [{tgt}]" if tgt else ""))
if reconnects:
    print(f"note: curl reconnected on {reconnects} of the reused-connection requests")
print("\nrequests by route per phase:")
for n in ("short", "long", "fan", "sdk_short", "sdk_long"):
    s = load(f"{n}.stats.json")
    print(f"  {n:<9} " + "; ".join(f"{k}: {v}" for k, v in sorted(s["requests_by_route"].items())))
PY
