#!/usr/bin/env bash
# Scale of a wake-recover-shaped run (bench/scale/recover.lua: get, wake, wait running, exec) over
# memory-backed machines (`clawrun serve --machines-backend memory --seed-machines N --phase-ms 0`),
# so that the control plane alone is measured: for each size, clawrun's wall time, requests per
# machine (counted by the server), max RSS and CPU (user + sys, /usr/bin/time -v), without a rate
# limit, and for RATE_SIZES also against `--rate-limit RATE`, compared with the ideal (requests ÷ rate).
# Prints "BENCH" lines. The server runs on this host too, so its CPU competes with clawrun's.
#
#   bench/scale.sh                                  # 1,000 / 10,000 / 100,000; 500/s for 1,000 and 10,000
#   SIZES="1000 10000" RATE=500 RATE_SIZES=10000 PARALLEL=200 CONFIG=debug bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000"}
RATE=${RATE:-500}
RATE_SIZES=${RATE_SIZES:-"1000 10000"}
PARALLEL=${PARALLEL:-200}
CONFIG=${CONFIG:-release}
swift build -c "$CONFIG" --product clawrun >&2
BIN="$(swift build -c "$CONFIG" --show-bin-path)/clawrun"
WORK=$(mktemp -d)
SERVE_PID=

stop_serve() {
    if [[ -n "$SERVE_PID" ]] && kill -0 "$SERVE_PID" 2>/dev/null; then kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; fi
    SERVE_PID=
}
trap 'stop_serve; rm -rf "$WORK"' EXIT

# one SIZE [RATE]: serves SIZE sleeping machines (rate-limited when RATE is given), recovers them all.
one() {
    local size=$1 rate=${2:-}
    local limit=()
    [[ -n "$rate" ]] && limit=(--rate-limit "$rate/s")
    CLAWRUN_HOME="$WORK/home" "$BIN" serve --port 0 --machines-backend memory --seed-machines "$size" --phase-ms 0 \
        "${limit[@]}" > "$WORK/serve.out" 2>&1 &
    SERVE_PID=$!
    for _ in $(seq 300); do grep -q "http://" "$WORK/serve.out" && break; sleep 0.1; done
    local port
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/serve.out")
    [[ -n "$port" ]] || { cat "$WORK/serve.out" >&2; exit 1; }
    CLAWRUN_HOME="$WORK/home" CLAWRUN_PROVIDER=dedalus DEDALUS_BASE_URL="http://127.0.0.1:$port" DEDALUS_API_KEY=bench-key \
        /usr/bin/time -v "$BIN" bench/scale/recover.lua --all --parallel "$PARALLEL" -q > /dev/null 2> "$WORK/run.err" \
        || { tail -5 "$WORK/run.err" >&2; exit 1; }
    local stats
    stats=$(curl -s "http://127.0.0.1:$port/__clawrun/stats")
    stop_serve
    python3 - "$size" "${rate:-0}" "$stats" "$WORK/run.err" <<'PY'
import json, re, sys
size, rate, stats, err = int(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3]), open(sys.argv[4]).read()
def field(name):
    return re.search(re.escape(name) + r":\s*([\d.:]+)", err).group(1)
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)")) / 1024
requests, limited = stats["requests"], stats.get("rate_limited", 0)
line = (f"BENCH scale {size} machines{' at %g/s' % rate if rate else ', no limit'}: {seconds:.1f} s, "
        f"{requests / size:.2f} requests/machine ({requests} requests, {limited} answered 429), "
        f"clawrun max RSS {rss:.0f} MB, CPU {cpu:.1f} s ({cpu / size * 1000:.2f} ms/machine)")
if rate:
    ideal = requests / rate
    line += f"; ideal {ideal:.1f} s, {seconds / ideal:.2f}x"
print(line, flush=True)
PY
}

for size in $SIZES; do one "$size"; done
for size in $RATE_SIZES; do one "$size" "$RATE"; done
