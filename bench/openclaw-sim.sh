#!/usr/bin/env bash
# Benchmarks the OpenClaw simulator: chat completions per second with the gateway pinned to
# one core (no reply delay), and its resident memory when idle and after the load.
#
#   bench/openclaw-sim.sh                 # 10 s, 32 connections
#   DURATION=30 CONNECTIONS=64 bench/openclaw-sim.sh
#
# Needs wrk (apt-get install -y wrk). Traffic goes to 127.0.0.1 only and stops after DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18899}
TOKEN=bench-token-0123456789abcdef0123456789ab
# With "user" every request lands in one session; without it each request opens a new
# session (as in the real gateway), which exercises the session cap.
BODY=${BODY:-'{"model":"openclaw/default","messages":[{"role":"user","content":"Hello!"}],"user":"bench"}'}

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }

BUILD=(swift build -c release --product openclaw-sim -Xswiftc -static-stdlib)
"${BUILD[@]}" >&2
BIN="$("${BUILD[@]}" --show-bin-path)/openclaw-sim"

WORK=$(mktemp -d)
GATEWAY_PID=
cleanup() {
    if [[ -n "$GATEWAY_PID" ]] && kill -0 "$GATEWAY_PID" 2>/dev/null; then
        kill -TERM "$GATEWAY_PID"
        wait "$GATEWAY_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/.openclaw"
printf '{"gateway":{"mode":"local","port":%d,"auth":{"mode":"token","token":"%s"},"http":{"endpoints":{"chatCompletions":{"enabled":true}}}}}\n' \
    "$PORT" "$TOKEN" > "$WORK/.openclaw/openclaw.json"

HOME=$WORK OPENCLAW_STATE_DIR=$WORK/.openclaw OPENCLAW_NO_RESPAWN=1 OPENAI_API_KEY=sk-bench OPENCLAW_SIM_DELAY_MS=0 \
    taskset -c 0 "$BIN" gateway run > "$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!

for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/gateway.log" >&2; exit 1; }

sleep 1
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$GATEWAY_PID/status"; }
IDLE_RSS=$(rss_kb)

cat > "$WORK/chat.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

# The load generator runs on the other core so it does not steal the gateway's.
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/chat.lua" \
    "http://127.0.0.1:$PORT/v1/chat/completions" | tee "$WORK/wrk.txt"

LOADED_RSS=$(rss_kb)
RPS=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.txt")
ERRORS=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.txt")
echo
echo "binary:            $BIN ($(du -h "$BIN" | cut -f1))"
echo "chat requests/s:   $RPS (1 core, $CONNECTIONS connections, ${DURATION}s, no delay)"
echo "non-2xx responses: ${ERRORS:-0}"
echo "idle RSS:          $((IDLE_RSS / 1024)) MiB ($IDLE_RSS kB)"
echo "RSS after load:    $((LOADED_RSS / 1024)) MiB ($LOADED_RSS kB)"
