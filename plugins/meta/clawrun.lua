---@meta clawrun
-- LuaLS definitions of every global clawrun adds to Lua 5.4 (the workflow API). Editor support
-- only: never required. Kept complete by Tests/ClawrunHostTests/LuaDefinitionsTests.swift.

---A machine as the bindings return it (also accepted wherever an id is).
---@class clawrun.Machine
---@field id string
---@field phase string accepted, placement_pending, starting, running, sleeping, stopping, failed, destroyed
---@field vcpu number
---@field memory_mib integer
---@field storage_gib integer
---@field autosleep_seconds integer?
---@field desired_state string
---@field reason string?
---@field provider string

---An error raised by a binding: prints, concatenates and takes string methods like its message.
---@class clawrun.Error
---@field code string bad_argument, bad_option, http, timeout, unsupported, fail, failed or a provider's code
---@field message string
---@field status integer? the HTTP status, when an answer failed
---@field machine string?
---@field step string?

---The `--set key=value` parameters, as strings (prefer `params`).
---@type table<string, string>
args = {}

---Declares the workflow's `--set` parameters, typed by their defaults; unknown or mistyped keys exit 2.
---@param declaration table<string, any> name = default, or name = {default, doc = "one line"}
---@return table values converted to the defaults' types
function params(declaration) end

---@class clawrun.log
log = {}
---A debug line (shown with -v).
function log.debug(...) end
---An info line, stamped with the time, the step and the machine.
function log.info(...) end
---A warning line.
function log.warn(...) end
---An error line (does not fail the run).
function log.error(...) end

---Waits (the coroutine yields; other work goes on).
---@param seconds number
function sleep(seconds) end

---Seconds since the epoch, as a float.
---@return number
function now() end

---Runs fn(item) in coroutines, at most `limit` at once; returns every outcome in order and a summary.
---@param items any[]
---@param fn fun(item: any): ...
---@param options? {limit?: integer}
---@return {ok: boolean, value: any, values: any[], error: string?}[] outcomes
---@return {total: integer, ok: integer, failed: integer, skipped: integer} summary
function parallel(items, fn, options) end

---A named, timed unit of work; with a table, apply(plan) runs only when check() says a change is
---needed, and never under --check; diff(plan) lists what --diff shows. {verify = fn} is a read-only
---step: it runs under --check too, unless an earlier step of the same machine would change something
---(then it is skipped).
---@param name string
---@param fn fun(): ...|{check: fun(): (boolean, string?, any), apply: fun(plan: any): ..., diff?: fun(plan: any): string|string[]}|{verify: fun(): ...}
---@return ...
function step(name, fn) end

---Marks the current step changed.
function changed() end

---Marks the current step skipped.
---@param reason? string
function skipped(reason) end

---Whether the run is a dry run (--check): no apply runs.
---@return boolean
function checking() end

---Ends the run with a message and an exit code.
---@param message string
---@param options? {exit_code?: integer}
function fail(message, options) end

---Calls fn(attempt) until it returns without an error, sleeping on the backoff between tries.
---@param fn fun(attempt: integer): ...
---@param options? {attempts?: integer, backoff?: "http"|"polling"|{initial?: number, factor?: number, cap?: number}, on?: string[]}
---@return ...
function retry(fn, options) end

---Calls fn() until it returns a true value, or raises an error with code "timeout".
---@param fn fun(): ...
---@param options? {timeout?: number, backoff?: "http"|"polling"|{initial?: number, factor?: number, cap?: number}, what?: string}
---@return ...
function wait_until(fn, options) end

---@class clawrun.json
---@field null table the JSON null
json = {}
---Encodes a value as compact JSON (integers kept apart from floats).
---@param value any
---@return string
function json.encode(value) end
---Decodes JSON text.
---@param text string
---@return any
function json.decode(text) end

---@class clawrun.token
token = {}
---Random URL-safe text (32 bytes by default), masked in all output.
---@param bytes? integer
---@return string
function token.generate(bytes) end
---Records the gateway token of a machine under CLAWRUN_HOME/tokens (mode 600).
---@param m clawrun.Machine|string
---@param tok string
function token.save(m, tok) end
---The gateway token recorded for a machine, or nil.
---@param m clawrun.Machine|string
---@return string?
function token.get(m) end

---A variable of the caller's environment (secret-looking ones are masked; DEDALUS_* refused).
---@param name string
---@return string?
function env(name) end

---@class clawrun.machine
machine = {}
---Creates a machine (returns at once, phase accepted).
---@param spec {vcpu?: number, memory_mib?: integer, storage_gib?: integer, autosleep?: integer|string, network?: "none"|"nat"}
---@return clawrun.Machine
function machine.create(spec) end
---@param id string
---@return clawrun.Machine
function machine.get(id) end
---@return clawrun.Machine[]
function machine.list() end
---@param m clawrun.Machine|string
---@return clawrun.Machine
function machine.delete(m) end
---@param m clawrun.Machine|string
---@return clawrun.Machine
function machine.sleep(m) end
---@param m clawrun.Machine|string
---@return clawrun.Machine
function machine.wake(m) end

---Polls until the machine is in the phase (or one of them); raises on failed/destroyed/timeout; updates m.
---@param m clawrun.Machine|string
---@param phases string|string[]
---@param options? {timeout?: number}
---@return clawrun.Machine
function wait_phase(m, phases, options) end

---Runs a /bin/bash -c line or an argv list (argv[0] an absolute path) in the machine.
---@param m clawrun.Machine|string
---@param command string|string[]
---@param options? {timeout?: number, env?: table<string, string>, cwd?: string, stdin?: string, check?: boolean}
---@return string stdout
---@return {status: string, exit_code: integer?, stdout: string, stderr: string, duration: number, execution_id: string} result
function exec(m, command, options) end

---The machines chosen with --machine / --all (and --select, --shard).
---@return clawrun.Machine[]
function targets() end

---Posts a chat message to the gateway's /v1/chat/completions from inside the machine.
---@param m clawrun.Machine|string
---@param message string
---@param options? {model?: string, user?: string, backend_model?: string, stream?: boolean, token?: string, port?: integer, timeout?: number, no_key?: "warn"|"error"|"ignore"}
---@return string reply
---@return table response
function chat(m, message, options) end

---@class clawrun.openclaw
---@field config_path string the gateway's config file
---@field env table<string, string> the environment every openclaw call needs
---@field layout {home: string, state_dir: string, config_path: string, bin_dir: string, cli: string, port: integer, start_script: string, log_file: string, pid_file: string, simulator: string, npm_cache: string, tmp_dir: string, compile_cache: string, dirs: string[], env: table<string, string>} read-only
openclaw = {}
---Any openclaw command in the machine.
---@param m clawrun.Machine|string
---@param args string[]
---@param options? {timeout?: number, check?: boolean}
---@return string stdout
---@return table result
function openclaw.run(m, args, options) end
---`openclaw config set` (the value JSON-encoded, passed on stdin).
---@param m clawrun.Machine|string
---@param path string
---@param value any
function openclaw.config_set(m, path, value) end
---`openclaw config get`, decoded (secrets redacted by OpenClaw).
---@param m clawrun.Machine|string
---@param path string
---@return any
function openclaw.config_get(m, path) end
---Every change in one atomic write of openclaw.json; with wait, waits for the gateway's restart.
---@param m clawrun.Machine|string
---@param changes {[1]: string, [2]: any}[]
---@param options? {wait?: boolean, port?: integer, timeout?: number}
---@return integer changed
---@return boolean restarted
function openclaw.config_patch(m, changes, options) end
---The decoded openclaw.json, or nil when there is none.
---@param m clawrun.Machine|string
---@return table?
function openclaw.config_file(m) end
---The gateway's health RPC.
---@param m clawrun.Machine|string
---@return table
function openclaw.health(m) end
---GET /v1/models from inside the machine: a token check with no LLM call.
---@param m clawrun.Machine|string
---@param options? {token?: string, port?: integer}
---@return {status: integer, error_type: string?, message: string?, ids: string[], json: table}
function openclaw.models(m, options) end
---Whether a config path holds a secret (OpenClaw's rule, plus env.vars.*).
---@param path string
---@return boolean
function openclaw.is_secret_path(path) end

---@class clawrun.loadtest
loadtest = {}
---The open-model generator inside the machine: requests at a constant rate (or along stages).
---@param m clawrun.Machine|string
---@param options table rate, duration, stages, max_in_flight, port, path, token, body, timeout, sessions, results_file
---@return table report
function loadtest.rate(m, options) end
---A closed loop with curl's parallel mode inside the machine.
---@param m clawrun.Machine|string
---@param options table requests or duration, concurrency, sessions, ...
---@return table report
function loadtest.closed(m, options) end
---The report over samples a workflow measured itself.
---@param samples table
---@param options? {duration?: number, mode?: string}
---@return table report
function loadtest.summary(samples, options) end
---The fleet's report (histograms added).
---@param reports table[]
---@return table report
function loadtest.merge(reports) end
---HdrHistogram's .hgrm text of a report.
---@param report table
---@return string
function loadtest.hgrm(report) end
---A chart of reports.
---@param reports table[]
---@param options? {format?: "svg"|"html", title?: string}
---@return string
function loadtest.chart(reports, options) end
---The merged report of an earlier run's --json output.
---@param path string
---@return table report
function loadtest.baseline(path) end
---Each percentile's change between two reports.
---@param now table
---@param before table
---@return {percentile: number, before_ms: number, now_ms: number, change: number}[]
function loadtest.compare(now, before) end

---Forgets the gateway token recorded for a machine.
---@param m clawrun.Machine|string
function token.forget(m) end

---@class clawrun.output
output = {}
---A report table: aligned on stdout, a `table` event under --json.
---@param rows table[]
---@param columns string[]
function output.table(rows, columns) end

---@class clawrun.files
files = {}
---Makes a folder on the operator's side (mode 700).
---@param dir string
function files.mkdir(dir) end
---Writes a file (mode 600) through a temporary file and a rename.
---@param dir string
---@param name string a plain file name
---@param data string
---@param options? {base64?: boolean}
function files.write(dir, name, data, options) end
---Reads a file written by files.write.
---@param dir string
---@param name string
---@param options? {base64?: boolean}
---@return string
function files.read(dir, name, options) end

---Whether the command line chose targets at all.
---@return {given: boolean, all: boolean, ids: string[], selectors: table, shard: string?}
function selection() end
