-- Benchmark probe for bench/wake-recover-cron.sh: how many targets run (are billed, cannot sleep).
local n = 0
for _, m in ipairs(targets()) do if m.phase == "running" then n = n + 1 end end
return n
