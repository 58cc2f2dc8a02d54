import ClawrunCore
import Foundation
import LuaRuntime

/// The `loadtest` table: `loadtest.rate(m, opts)` (the open-model generator inside the machine),
/// `loadtest.closed(m, opts)` (a closed loop with curl's parallel mode inside the machine),
/// `loadtest.summary(samples, opts)` (the report over samples a workflow measured itself), and the
/// reports' tools `loadtest.merge`, `loadtest.hgrm`, `loadtest.chart`, `loadtest.baseline` and
/// `loadtest.compare`. Named `loadtest`, not `load`, so that Lua's own `load` stays.
extension HostContext {
    func registerLoadTest() {
        registerArrivalRate()
        registerReportTools()
        state.register("loadtest.closed") { [unowned self] call in
            let id = try call.machineId(1)
            let opts = try call.optionalTable(2, "options") ?? LuaTable()
            try opts.checkKeys(["url", "port", "path", "token", "requests", "duration", "concurrency", "body",
                                "timeout", "results_file", "raw", "sessions"])
            let sessions = try opts.string("sessions") ?? "per_user"
            guard sessions == "per_user" || sessions == "shared" else {
                throw HostError("option 'sessions' must be \"per_user\" or \"shared\", got \"\(sessions)\"")
            }
            let port = Int(try opts.number("port") ?? 18789)
            let url = try opts.string("url") ?? "http://127.0.0.1:\(port)\(try opts.string("path") ?? "/v1/chat/completions")"
            let concurrency = Int(try opts.number("concurrency") ?? 8)
            let duration = try opts.number("duration").map { Int($0.rounded(.up)) } ?? 0
            let requests = Int(try opts.number("requests") ?? (duration > 0 ? 0 : 1000))
            // curl's --parallel-max takes at most 300.
            guard concurrency >= 1, concurrency <= 300 else {
                throw HostError("option 'concurrency' must be from 1 to 300, got \(concurrency)")
            }
            guard (requests > 0) != (duration > 0), requests >= 0, requests <= 10_000_000, duration <= 86_400 else {
                throw HostError("give either option 'requests' (a count) or option 'duration' (seconds), not both")
            }
            let timeout = try opts.number("timeout") ?? 30
            guard timeout > 0, timeout <= 3600 else {
                throw HostError("option 'timeout' must be between 0 and 3600 seconds, got \(timeout)")
            }
            var token = try opts.string("token")
            if token == nil { token = try self.recordedToken(id) }
            if let token, !self.options.showSecrets { self.reporter.redactor.add(token) }
            let defaultBody = #"{"model":"openclaw/default","messages":[{"role":"user","content":"Hello!"}],"user":"load-test"}"#
            var body: String? = opts["body"] == .boolean(false) ? nil : try opts.string("body") ?? defaultBody
            // One session per virtual user: the body's `user` becomes each user's own (see LoadScript).
            let perUser = sessions == "per_user" && body != nil
            if perUser, let text = body, case .object(var members)? = try? JSONValue.parse(text) {
                members.removeAll { $0.0 == "user" }
                members.append(("user", .string("__CLAWRUN_VU__")))
                body = JSONValue.object(members).compactText
            }
            let config = LoadScript.config(token: token, body: body, timeout: timeout)
            let resultsFile = try opts.string("results_file")
            let raw = try opts.bool("raw") ?? false
            let remote = "/tmp/clawrun-load-\(UUID().uuidString.prefix(8)).txt"
            let argv = [OpenClawLayout.bash, "-c", LoadScript.text, "clawrun-load", remote, String(concurrency), String(requests),
                        String(duration), url, perUser ? "1" : "0"]
            let budget = duration > 0 ? Double(duration) + timeout + 60 : max(600, Double(requests) / 50)
            let request = ExecRequest(command: argv, stdin: config.text, timeoutMs: Int(budget * 1000))
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let run = try await poller.run(machineId: id, request, timeout: budget + 30)
                if let failure = HostContext.failureMessage(run, machineId: id) { throw HostError("loadtest.closed: \(failure)") }
                let header = run.output.stdout.split(separator: "\n")
                let words = header.first?.split(separator: " ") ?? []
                guard words.count >= 4, words[0] == "wall", let wall = Double(words[1]) else {
                    throw HostError("loadtest.closed on \(id): the load script printed no summary: \(run.output.stdout.prefix(200))")
                }
                let text = try await poller.readFile(machineId: id, path: remote)
                let (timings, malformed) = CurlTimingsParser.parse(text)
                let samples = timings.map { LoadReport.Sample(latency: $0.total, status: $0.status, error: $0.errorKind) }
                let report = LoadReport(mode: "closed", samples: samples, wall: wall)
                if let resultsFile {
                    try LoadReport.writeCSV(resultsFile, header: ["status", "error", "latency_s", "connect_s", "first_byte_s"],
                                            rows: timings.map { [String($0.status), $0.errorKind ?? "", String($0.total),
                                                                 String($0.connect), String($0.firstByte)] })
                }
                var extra: [(String, LuaValue)] = [
                    ("concurrency", .integer(Int64(concurrency))),
                    ("curl_parallel", .boolean(words[3] == "1")),
                    ("sessions", .string(perUser ? "per_user" : "shared")),
                    ("connect_ms", LoadReport.latencyTable(timings.map(\.connect))),
                    ("first_byte_ms", LoadReport.latencyTable(timings.map(\.firstByte))),
                    ("unparsed_lines", .integer(Int64(malformed))),
                ]
                if raw {
                    extra.append(("timings", .table(LuaTable(sequence: timings.map {
                        .table(LuaTable([("status", .integer(Int64($0.status))), ("latency", .number($0.total)),
                                         ("connect", .number($0.connect)), ("first_byte", .number($0.firstByte))]))
                    }))))
                }
                return [report.luaValue(extra: extra)]
            }
        }
        state.register("loadtest.summary") { call in
            let list = try call.table(1, "samples")
            let opts = try call.optionalTable(2, "options") ?? LuaTable()
            try opts.checkKeys(["duration", "mode", "results_file"])
            var samples: [LoadReport.Sample] = []
            for (i, item) in list.sequence.enumerated() {
                switch item {
                case .integer, .number:
                    samples.append(LoadReport.Sample(latency: item.doubleValue ?? 0, status: 200, error: nil))
                case .table(let t):
                    guard let latency = try t.number("latency") else {
                        throw HostError("bad argument #1 'samples' (item \(i + 1) has no 'latency' in seconds)")
                    }
                    samples.append(LoadReport.Sample(latency: latency, status: Int(try t.number("status") ?? 0),
                                                     error: try t.string("error")))
                default:
                    throw HostError("bad argument #1 'samples' (item \(i + 1) must be a number of seconds or a table)")
                }
            }
            let wall = try opts.number("duration") ?? samples.map(\.latency).reduce(0, +)
            if let path = try opts.string("results_file") {
                try LoadReport.writeCSV(path, header: ["status", "error", "latency_s"],
                                        rows: samples.map { [String($0.status), $0.error ?? "", String($0.latency)] })
            }
            let report = LoadReport(mode: try opts.string("mode") ?? "exec", samples: samples, wall: wall)
            return .values([report.luaValue()])
        }
    }
}

extension LuaValue {
    /// The value of a number.
    var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
}

extension HostContext {
    /// `loadtest.rate(m, opts)`: runs `LoadGenerator` inside the machine at a constant `rate` for
    /// `duration` seconds, or along `stages` (`30s:10,1m:50`, ramping from `rate`, default 0), and
    /// returns its report (`LoadReport`, mode "rate").
    func registerArrivalRate() {
        state.register("loadtest.rate") { [unowned self] call in
            let id = try call.machineId(1)
            let opts = try call.optionalTable(2, "options") ?? LuaTable()
            try opts.checkKeys(["port", "path", "token", "rate", "duration", "stages", "max_in_flight", "body", "timeout",
                                "results_file", "sessions"])
            let schedule = try Self.arrivalSchedule(opts)
            guard schedule.totalRequests <= 50_000_000 else {
                throw HostError("the schedule asks for \(schedule.totalRequests) requests; at most 50,000,000 per run: lower 'rate' or 'duration'")
            }
            let port = try opts.number("port") ?? 18789
            guard port >= 1, port <= 65535, port == port.rounded() else { throw HostError("option 'port' must be from 1 to 65535, got \(port)") }
            let path = try opts.string("path") ?? "/v1/chat/completions"
            guard path.hasPrefix("/"), !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
                throw HostError("option 'path' must be a URL path like /v1/chat/completions, got \(path)")
            }
            let slots = try opts.number("max_in_flight") ?? 256
            // One connection per slot; the generator's process keeps under the usual 1024 open files.
            guard slots >= 1, slots <= 1000, slots == slots.rounded() else {
                throw HostError("option 'max_in_flight' must be a whole number from 1 to 1000, got \(slots)")
            }
            let timeout = try opts.number("timeout") ?? 30
            guard timeout > 0, timeout <= 3600 else {
                throw HostError("option 'timeout' must be between 0 and 3600 seconds, got \(timeout)")
            }
            let sessions = try opts.string("sessions") ?? "per_user"
            guard sessions == "per_user" || sessions == "shared" else {
                throw HostError("option 'sessions' must be \"per_user\" or \"shared\", got \"\(sessions)\"")
            }
            var token = try opts.string("token")
            if token == nil { token = try self.recordedToken(id) }
            if let token, !self.options.showSecrets { self.reporter.redactor.add(token) }
            var body = try opts.string("body") ?? #"{"model":"openclaw/default","messages":[{"role":"user","content":"Hello!"}],"user":"load-test"}"#
            // One session per connection: a gateway runs one request per session at a time
            // (src/agents/pi-embedded-runner/run.ts), so a shared `user` would measure that queue.
            if sessions == "per_user", case .object(var members)? = try? JSONValue.parse(body) {
                members.removeAll { $0.0 == "user" }
                members.append(("user", .string("__CLAWRUN_VU__")))
                body = JSONValue.object(members).compactText
            }
            var input: [(String, JSONValue)] = [("body", .string(body))]
            if let token { input.append(("token", .string(token))) }
            let resultsFile = try opts.string("results_file")
            let remote = "/tmp/clawrun-loadtest-\(UUID().uuidString.prefix(8)).txt"
            let argv = LoadGenerator.argv(results: remote, host: "127.0.0.1", port: Int(port), path: path,
                                          schedule: schedule.generatorArgument, slots: Int(slots), timeout: timeout)
            let budget = schedule.duration + timeout + 60
            let request = ExecRequest(command: argv, stdin: JSONValue.object(input).compactText, timeoutMs: Int(budget * 1000))
            return try self.scheduler.perform(call) { [poller = self.poller] in
                let run = try await poller.run(machineId: id, request, timeout: budget + 30)
                let summary = ArrivalTimingsParser.summary(run.output.stdout)
                let failure = HostContext.failureMessage(run, machineId: id)
                if failure != nil || summary == nil {
                    _ = try? await poller.run(machineId: id, ExecRequest(command: [OpenClawLayout.rm, "-f", remote], timeoutMs: 30_000), timeout: 60)
                }
                if let failure { throw HostError("loadtest.rate: \(failure)") }
                guard let summary else {
                    throw HostError("loadtest.rate on \(id): the generator printed no summary (does the machine have \(LoadGenerator.python)?): \(run.output.stdout.prefix(200))\(run.output.stderr.suffix(300))")
                }
                let (timings, malformed) = ArrivalTimingsParser.parse(try await poller.readFile(machineId: id, path: remote))
                var report = LoadReport(mode: "rate", samples: timings.map {
                    LoadReport.Sample(latency: $0.latency, status: $0.status, error: $0.errorKind, sent: $0.sent, late: $0.late)
                }, wall: summary.wall)
                report.machine = id
                report.dropped = summary.dropped
                report.scheduled = schedule.totalRequests
                if let resultsFile {
                    try LoadReport.writeCSV(resultsFile, header: ["status", "error", "latency_s", "intended_s", "lag_s", "late"],
                                            rows: timings.map { [String($0.status), $0.errorKind ?? "", String($0.latency),
                                                                 String($0.intended), String($0.lag), $0.late ? "1" : "0"] })
                }
                return [report.luaValue(extra: [
                    ("max_in_flight", .integer(Int64(slots))),
                    ("sessions", .string(sessions)),
                    ("target_rate", .number(schedule.duration > 0 ? Double(schedule.totalRequests) / schedule.duration : 0)),
                    ("lag_ms", LoadReport.latencyTable(timings.map(\.lag))),
                    ("unparsed_lines", .integer(Int64(malformed))),
                ])]
            }
        }
    }

    /// The schedule in `loadtest.rate`'s options.
    static func arrivalSchedule(_ opts: LuaTable) throws -> ArrivalSchedule {
        let rate = try opts.number("rate")
        if let rate { guard rate >= 0, rate <= 1_000_000 else { throw HostError("option 'rate' must be from 0 to 1,000,000 requests per second, got \(rate)") } }
        if let stages = try opts.string("stages"), !stages.isEmpty {
            guard try opts.number("duration") == nil else { throw HostError("give option 'duration' or option 'stages', not both") }
            do {
                let schedule = try ArrivalSchedule.parse(stages: stages, startRate: rate ?? 0)
                guard schedule.stages.allSatisfy({ $0.target <= 1_000_000 }), schedule.duration <= 86_400 else {
                    throw HostError("option 'stages' must keep rates at most 1,000,000 per second and last at most a day, got \(stages)")
                }
                return schedule
            } catch let error as ScheduleError {
                throw HostError("option 'stages': \(error.description)")
            }
        }
        guard let rate, rate > 0 else { throw HostError("give option 'rate' (requests per second, more than 0) with 'duration', or option 'stages'") }
        let duration = try opts.number("duration") ?? 10
        guard duration > 0, duration <= 86_400 else { throw HostError("option 'duration' must be between 0 and 86400 seconds, got \(duration)") }
        return .constant(rate: rate, duration: duration)
    }

    /// `loadtest.merge(reports)`, `loadtest.hgrm(report)`, `loadtest.chart(reports, opts)`,
    /// `loadtest.baseline(path)` and `loadtest.compare(now, before)`.
    func registerReportTools() {
        func reports(_ list: LuaTable, _ what: String) throws -> [LoadReport] {
            try list.sequence.enumerated().map { (i, item) in
                guard case .table(let t) = item else { throw HostError("bad argument \(what) (item \(i + 1) is not a report table)") }
                return try LoadReport(table: t, what: "item \(i + 1) of \(what)")
            }
        }
        state.register("loadtest.merge") { call in
            let list = try reports(try call.table(1, "reports"), "#1 'reports'")
            return .values([LoadReport.merged(list).luaValue()])
        }
        state.register("loadtest.hgrm") { call in
            let report = try LoadReport(table: try call.table(1, "report"), what: "argument #1 'report'")
            guard report.histogram.count > 0 else { throw HostError("bad argument #1 'report' (it holds no latency: no request completed)") }
            return .values([.string(report.histogram.hgrm)])
        }
        state.register("loadtest.chart") { call in
            let list = try reports(try call.table(1, "reports"), "#1 'reports'")
            let opts = try call.optionalTable(2, "options") ?? LuaTable()
            try opts.checkKeys(["format", "title"])
            let format = try opts.string("format") ?? "svg"
            let title = try opts.string("title") ?? "load test"
            let merged = LoadReport.merged(list)
            switch format {
            case "svg": return .values([.string(LoadChart.svg(machines: list, merged: merged, title: title))])
            case "html": return .values([.string(LoadChart.html(machines: list, merged: merged, title: title))])
            default: throw HostError("option 'format' must be \"svg\" or \"html\", got \"\(format)\"")
            }
        }
        state.register("loadtest.baseline") { call in
            .values([try LoadBaseline.load(path: try call.string(1, "path"))])
        }
        state.register("loadtest.compare") { call in
            let now = try LoadReport(table: try call.table(1, "now"), what: "argument #1 'now'")
            let before = try LoadReport(table: try call.table(2, "before"), what: "argument #2 'before'")
            return .values([LoadBaseline.luaValue(LoadBaseline.compare(now, with: before))])
        }
    }
}
