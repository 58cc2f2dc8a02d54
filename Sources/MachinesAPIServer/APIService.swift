import ClawrunCore
import Foundation
import NIOHTTP1

/// `clawrun serve`'s request handling, independent of sockets: admin routes, latency, auth, faults,
/// idempotency, then the API operation over the provider.
final class APIService: Sendable {
    let provider: any MachineProvider
    let apiKey: String?
    let memoryCapacityMiB: Int
    let faults: Locked<FaultPlan>
    let stats = Locked(ServerStats())
    let idempotency = IdempotencyStore()
    let ledger = MachineLedger()
    let rateLimiter: RateLimiter?

    init(provider: any MachineProvider, apiKey: String?, faults: FaultPlan, memoryCapacityMiB: Int,
         rateLimit: RateLimit? = nil) {
        self.rateLimiter = rateLimit.map(RateLimiter.init)
        self.provider = provider
        self.apiKey = apiKey
        self.faults = Locked(faults)
        self.memoryCapacityMiB = memoryCapacityMiB
    }

    /// How long the request waits before it is handled: the fault plan's latency, none for the
    /// admin routes.
    func latencyMs(for request: APIRequest) -> Int {
        request.path.hasPrefix("/__clawrun/") ? 0 : faults.withLock { $0.latencyMs }
    }

    /// What to do with one request, once its latency has passed.
    func respond(to request: APIRequest) async -> APIOutcome {
        if request.path.hasPrefix("/__clawrun/") {
            if let denied = authError(request) { return .respond(denied.response) }
            return .respond(admin(request))
        }
        let matched = Route.match(method: request.method, path: request.path)
        let routeName = (try? matched.get())?.name ?? "\(request.method.rawValue) (no route)"
        stats.withLock {
            $0.requests += 1
            $0.requestsByRoute[routeName, default: 0] += 1
        }
        if let denied = authError(request) { return .respond(denied.response) }
        if let rateLimiter, let waitMs = rateLimiter.take(key: credential(request) ?? "") {
            stats.withLock { $0.rateLimited += 1 }
            return .respond(RateLimiter.answer(waitMs: waitMs, mutating: request.method != .GET))
        }
        if let fault = takeCountedFault(route: routeName) { return fault }
        let route: Route
        switch matched {
        case .success(let r): route = r
        case .failure(let e): return .respond(e.response)
        }
        var key: String?
        if request.method != .GET, let k = request.headers.first(name: "Idempotency-Key"), !k.isEmpty {
            key = k
            switch await idempotency.begin(key: k, hash: IdempotencyStore.hash(request)) {
            case .proceed: break
            case .replay(let response):
                count("idempotent_replay")
                return .respond(response)
            case .reject(let error):
                count(error.status == 409 ? "idempotency_key_reused" : "idempotency_in_flight")
                return .respond(error.response)
            }
        }
        let response: APIResponse
        do {
            response = try await handle(route, request)
        } catch {
            response = APIError.from(error).response
        }
        if let key { await idempotency.finish(key: key, response: response) }
        if case .createMachine = route, response.status == .ok, takeDropAfterCreate() { return .drop }
        return .respond(response)
    }

    /// The key a request carries (Bearer first, else x-api-key): the rate limit's bucket.
    func credential(_ request: APIRequest) -> String? {
        if let auth = request.headers.first(name: "Authorization"), auth.lowercased().hasPrefix("bearer ") {
            return String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        return request.headers.first(name: "x-api-key")
    }

    /// A 401 when the server has a key and the request does not carry it (as Bearer or x-api-key).
    func authError(_ request: APIRequest) -> APIError? {
        guard let apiKey else { return nil }
        var bearer: String?
        if let auth = request.headers.first(name: "Authorization"), auth.lowercased().hasPrefix("bearer ") {
            bearer = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        let xKey = request.headers.first(name: "x-api-key")
        if bearer == nil && xKey == nil { return APIError(401, "AUTH_REQUIRED", "missing Dedalus API key") }
        if bearer == apiKey || xKey == apiKey { return nil }
        return APIError(401, "AUTH_INVALID", "invalid Dedalus API key")
    }

    /// Counts a fault or idempotency outcome.
    func count(_ kind: String) {
        stats.withLock { $0.faults[kind, default: 0] += 1 }
    }

    /// Uses up one counted fault for this route, if the plan has one left.
    private func takeCountedFault(route: String) -> APIOutcome? {
        let taken: (kind: String, plan: FaultPlan)? = faults.withLock { plan in
            if let only = plan.route, only != route { return nil }
            if plan.dropConnectionCount > 0 {
                plan.dropConnectionCount -= 1
                return ("dropped_connection", plan)
            }
            if plan.serverErrorCount > 0 {
                plan.serverErrorCount -= 1
                return ("server_error", plan)
            }
            if plan.rateLimitCount > 0 {
                plan.rateLimitCount -= 1
                return ("rate_limited", plan)
            }
            return nil
        }
        guard let taken else { return nil }
        count(taken.kind)
        switch taken.kind {
        case "dropped_connection":
            return .drop
        case "server_error":
            let status = taken.plan.serverErrorStatus
            let error = status == 503
                ? APIError(503, "DEPENDENCY_UNAVAILABLE", "runtime unavailable", retryable: true)
                : APIError(status, "INTERNAL", "injected server error", retryable: true)
            return .respond(error.response)
        default:
            let seconds = taken.plan.rateLimitRetryAfter
            var response = APIError(429, "RATE_LIMITED", "mutation rate limit exceeded", retryable: true,
                                    details: ["rate_limit_scope": "mutating_lifecycle_routes"]).response
            let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            response.headers.add(name: "Retry-After", value: text)
            return .respond(response)
        }
    }

    private func takeDropAfterCreate() -> Bool {
        let take = faults.withLock { plan -> Bool in
            guard plan.dropAfterCreateCount > 0 else { return false }
            plan.dropAfterCreateCount -= 1
            return true
        }
        if take { count("dropped_after_create") }
        return take
    }

    /// `GET /__clawrun/stats`, `POST /__clawrun/stats/reset`, `GET|POST /__clawrun/faults`.
    private func admin(_ request: APIRequest) -> APIResponse {
        switch (request.method, request.path) {
        case (.GET, "/__clawrun/stats"):
            return .json(stats.withLock { $0 })
        case (.POST, "/__clawrun/stats/reset"):
            return .json(stats.withLock { s -> ServerStats in
                var fresh = ServerStats()
                fresh.openConnections = s.openConnections
                fresh.maxOpenConnections = s.openConnections
                s = fresh
                return s
            })
        case (.GET, "/__clawrun/faults"):
            return .json(faults.withLock { $0 })
        case (.POST, "/__clawrun/faults"):
            do {
                let plan = try JSONDecoder().decode(FaultPlan.self, from: request.body.isEmpty ? Data("{}".utf8) : request.body)
                faults.withLock { $0 = plan }
                return .json(plan)
            } catch {
                return APIError(400, "INVALID_REQUEST", "the fault plan is not valid JSON: \(error)").response
            }
        default:
            return APIError(404, "NOT_FOUND", "no route \(request.method.rawValue) \(request.path)").response
        }
    }
}
