-- retry: install commands that fail loudly and retry only what is transient.
--   retry.run(m, what, line, opts)   runs a /bin/bash -c line under `set -o pipefail` (args in opts.args);
--                                    retries a transient failure (a network error, an HTTP 5xx, a busy apt
--                                    lock) up to opts.attempts times with doubling delays from opts.delay;
--                                    any other failure, or the last one, raises with the tail of its output
--   retry.transient(text, code)      the transient error named in a command's output, or nil
local M = {}

-- Known-transient failures, by what the tools print: curl (its exit codes below and
-- `The requested URL returned error: 5xx`), npm (`code ETIMEDOUT`, `code E503`, ...), apt.
M.patterns = {
  "ETIMEDOUT", "ECONNRESET", "ECONNREFUSED", "EAI_AGAIN", "ESOCKETTIMEDOUT", "EPIPE",
  "code E5%d%d", "returned error: 5%d%d", "HTTP/[%d.]+ 5%d%d", " 50[234] ",
  "Temporary failure resolving", "Could not get lock", "Connection timed out", "Connection reset by peer",
}
-- curl exit codes of a network that may come back: resolve (6), connect (7), timeout (28), TLS
-- handshake (35), empty reply (52), send/receive (55, 56), a short transfer (18).
M.curl_codes = {[6] = "could not resolve host", [7] = "could not connect", [18] = "partial transfer",
                [28] = "timed out", [35] = "TLS handshake failed", [52] = "empty reply",
                [55] = "send failure", [56] = "receive failure"}

function M.transient(text, code)
  text = tostring(text or "")
  for _, pattern in ipairs(M.patterns) do
    local found = text:match(pattern)
    if found then return (found:gsub("^%s+", ""):gsub("%s+$", "")) end
  end
  -- Scripts report a curl failure as `curl exit N` so its exit code can be classified here.
  local curl = tonumber(text:match("curl exit (%d+)"))
  if curl and M.curl_codes[curl] then return "curl: " .. M.curl_codes[curl] end
  return nil
end

-- The last lines of a command's output, with credentials in URLs (https://user:secret@host/)
-- masked: a mirror or registry URL may carry them.
local function tail(text, lines)
  local all = {}
  for line in tostring(text or ""):gmatch("[^\n]+") do
    all[#all + 1] = (line:gsub("(%a[%w+.%-]*://)[^/@%s]+@", "%1***@"))
  end
  return table.concat(all, "\n", math.max(1, #all - lines + 1))
end
M.tail = tail

function M.run(m, what, line, opts)
  opts = opts or {}
  local attempts = math.max(1, math.tointeger(tonumber(opts.attempts) or 4) or 4)
  local delay = tonumber(opts.delay) or 1
  for attempt = 1, attempts do
    local out, res = exec(m, {"/bin/bash", "-c", "set -o pipefail\n" .. line, "clawrun", table.unpack(opts.args or {})},
                          {check = false, timeout = opts.timeout, env = opts.env, stdin = opts.stdin})
    if res.exit_code == 0 then return out, res end
    local text = (res.stdout or "") .. "\n" .. (res.stderr or "")
    local cause = M.transient(text, res.exit_code)
    if not cause or attempt == attempts then
      local why = cause and string.format("still failing after %d attempts (%s)", attempts, cause)
        or string.format("exit %s", tostring(res.exit_code))
      local shown = tail(text, tonumber(opts.tail) or 12)
      error(string.format("%s failed on %s: %s%s", what, m.id, why, shown ~= "" and (":\n" .. shown) or ""), 0)
    end
    log.warn(string.format("%s on %s: transient failure (%s), attempt %d of %d; retrying in %g s",
                           what, m.id, cause, attempt, attempts, delay))
    sleep(delay)
    delay = delay * 2
  end
end

return M
