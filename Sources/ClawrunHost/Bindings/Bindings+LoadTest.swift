import ClawrunCore
import Foundation
import LuaRuntime

/// `load.inside(m, opts)` (curl's parallel mode inside the machine, timings parsed here) and
/// `load.summary(samples, opts)` (the same report over samples a workflow measured itself).
extension HostContext {
    func registerLoadTest() {
        state.register("load.inside") { [unowned self] call in
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
            return try self.scheduler.perform(call) { [self] in
                let run = try await self.poller.run(machineId: id, request, timeout: budget + 30)
                if let failure = HostContext.failureMessage(run, machineId: id) { throw HostError("load.inside: \(failure)") }
                let header = run.output.stdout.split(separator: "\n")
                let words = header.first?.split(separator: " ") ?? []
                guard words.count >= 4, words[0] == "wall", let wall = Double(words[1]) else {
                    throw HostError("load.inside on \(id): the load script printed no summary: \(run.output.stdout.prefix(200))")
                }
                let text = try await self.readRemoteFile(id, remote)
                let (timings, malformed) = CurlTimingsParser.parse(text)
                let samples = timings.map { LoadReport.Sample(latency: $0.total, status: $0.status, error: $0.errorKind) }
                let report = LoadReport(mode: "inside", samples: samples, wall: wall)
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
        state.register("load.summary") { call in
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

    /// Reads a file of a machine in pieces that fit in an execution's captured output, then
    /// removes it.
    func readRemoteFile(_ id: String, _ path: String) async throws -> String {
        let piece = 768 * 1024
        var data: [UInt8] = []
        while true {
            let request = ExecRequest(command: [OpenClawLayout.bash, "-c", "tail -c +$(( $1 + 1 )) \"$2\" | head -c \"$3\"", "read",
                                                String(data.count), path, String(piece)], timeoutMs: 60_000)
            let result = try await poller.run(machineId: id, request, timeout: 90)
            if let failure = HostContext.failureMessage(result, machineId: id) { throw HostError(failure) }
            let bytes = Array(result.output.stdout.utf8)
            data += bytes
            if bytes.count < piece { break }
        }
        _ = try? await poller.run(machineId: id, ExecRequest(command: [OpenClawLayout.rm, "-f", path], timeoutMs: 30_000), timeout: 60)
        return String(decoding: data, as: UTF8.self)
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
