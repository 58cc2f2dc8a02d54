#!/usr/bin/env bash
# A cron run of wake-recover (`--all`, every 10 minutes in the README) over a fleet of FLEET
# deployed gateways of which ASLEEP sleep (autosleep did its job), on local machines with the
# OpenClaw simulator and its offline echo model: the new wake-recover (sleepers skipped, healthy
# gateways left alone, no chat) against the baseline, the workflow before issue 15
# (bench/wake-recover-cron/seed-wake-recover.lua: wakes every target and chats with each), in the
# same run, ROUNDS rounds interleaved, the same sleepers put back to sleep before every run.
# Prints per workflow the median wall time of a run, machines woken, chats (LLM calls) and
# machines left running (billed, and autosleep restarts its clock on them). Prints "BENCH" lines.
#
#   bench/wake-recover-cron.sh                    # FLEET=10 ASLEEP=7 ROUNDS=3
#   FLEET=20 ASLEEP=15 CONFIG=release bench/wake-recover-cron.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FLEET=${FLEET:-10}
ASLEEP=${ASLEEP:-7}
ROUNDS=${ROUNDS:-3}
CONFIG=${CONFIG:-debug}
swift build -c "$CONFIG" --product clawrun >&2
BIN="$(swift build -c "$CONFIG" --show-bin-path)/clawrun"
WORK=$(mktemp -d)
export CLAWRUN_HOME="$WORK/home" CLAWRUN_PROVIDER=local
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OPENROUTER_API_KEY

cleanup() {
    if [[ -d "$CLAWRUN_HOME/machines" ]]; then
        left=$(ls "$CLAWRUN_HOME/machines" | grep -v '\.json$' || true)
        [[ -z "$left" ]] || "$BIN" machines delete --yes $left > /dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/create.lua" <<'LUA'
local items = {}
for i = 1, tonumber(args.count) do items[i] = i end
local ids = {}
for i, o in ipairs(parallel(items, function()
  local m = machine.create{memory_mib = 512}
  wait_phase(m, "running")
  return m.id
end)) do ids[i] = o.value end
return ids
LUA
"$BIN" "$WORK/create.lua" --set count="$FLEET" --json -q > "$WORK/create.jsonl"
python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1])]
print("\n".join(next(e for e in r if e["event"]=="result")["value"]))' "$WORK/create.jsonl" > "$WORK/fleet.txt"
"$BIN" workflows/deploy.lua --machines "@$WORK/fleet.txt" --set greet=false \
    --set base_url=http://127.0.0.1:11434/v1 -q >&2
SLEEPERS=$(head -n "$ASLEEP" "$WORK/fleet.txt" | paste -sd, -)
echo "fleet of $FLEET deployed gateways, $ASLEEP asleep before each run; CLAWRUN_HOME=$CLAWRUN_HOME" >&2

run() { # label workflow args...
    local label=$1; shift
    "$BIN" bench/wake-recover-cron/fleet.lua --machines "@$WORK/fleet.txt" --set asleep="$SLEEPERS" -q
    local t0 t1
    t0=$(date +%s.%N)
    "$BIN" "$@" --machines "@$WORK/fleet.txt" --json -q > "$WORK/$label.jsonl" || {
        echo "$label failed:" >&2; tail -5 "$WORK/$label.jsonl" >&2; exit 1; }
    t1=$(date +%s.%N)
    local awake
    awake=$("$BIN" bench/wake-recover-cron/awake.lua --machines "@$WORK/fleet.txt" --json -q |
            python3 -c 'import json,sys; print(next(json.loads(l) for l in sys.stdin if "\"result\"" in l)["value"])')
    python3 - "$WORK/$label.jsonl" "$label" "$t0" "$t1" "$awake" >> "$WORK/rows.txt" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
woken = sum(1 for e in events if e.get("event") == "step_end" and e.get("step", "").split("/")[-1] == "wake"
            and e.get("status") == "changed")
chats = sum(1 for e in events if e.get("event") == "step_end" and e.get("step", "").split("/")[-1] == "chat")
print(sys.argv[2], float(sys.argv[4]) - float(sys.argv[3]), woken, chats, sys.argv[5])
PY
}

for _ in $(seq "$ROUNDS"); do
    run baseline bench/wake-recover-cron/seed-wake-recover.lua
    run new workflows/wake-recover.lua
done

python3 - "$WORK/rows.txt" "$FLEET" "$ASLEEP" "$ROUNDS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
fleet, asleep, rounds = sys.argv[2], sys.argv[3], sys.argv[4]
out = {}
for label in ("baseline", "new"):
    mine = [r for r in rows if r[0] == label]
    t = statistics.median(float(r[1]) for r in mine)
    out[label] = t
    print(f"BENCH wake-recover cron ({label}): {fleet} gateways, {asleep} asleep: median {t:.2f} s per run "
          f"(of {rounds}); woke {mine[-1][2]}, chats {mine[-1][3]}, running after the run {mine[-1][4]} of {fleet}")
print(f"BENCH wake-recover cron: new/baseline time {out['new'] / out['baseline']:.2f}")
PY
