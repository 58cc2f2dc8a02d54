-- The CPU one fresh `bash -c true` costs inside a local machine: 200 of them in one exec, timed
-- by bash itself (user + sys over wall), for bench/local-machines.sh.
local m = machine.create{memory_mib = 256}
wait_phase(m, "running")
local out = exec(m, [[TIMEFORMAT='%R %U %S'; { time (for i in $(seq 200); do /bin/bash -c true; done) ; } 2>&1]])
local real, user, sys = out:match("([%d.]+) ([%d.]+) ([%d.]+)")
print(string.format("BENCH one `bash -c true` in a machine: %.2f ms wall, %.2f ms CPU (mean of 200)",
  tonumber(real) * 5, (tonumber(user) + tonumber(sys)) * 5))
machine.delete(m)
wait_phase(m, "destroyed")
