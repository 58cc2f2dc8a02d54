import AsyncHTTPClient
import ClawrunCore
import Foundation
import NIOCore
import NIOHTTP1

extension DedalusProvider {
    /// Sends one API call and decodes its 2xx answer as `T`, retrying per `RetryPolicy`. Every
    /// attempt of a non-GET call carries the same `Idempotency-Key`. `body` nil sends no body (GET,
    /// DELETE); an empty one sends `Content-Length: 0`.
    func call<T: Decodable>(_ method: HTTPMethod, _ path: String, query: String = "", body: Data? = nil,
                            as type: T.Type) async throws -> T {
        let data = try await send(method, path, query: query, body: body)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            let snippet = String(decoding: data.prefix(200), as: UTF8.self)
            let message = "\(method.rawValue) /\(path): the answer is not the expected document "
                + "(\(Self.describe(decodingError: error))): \(snippet)"
            throw ProviderError(status: 200, code: "invalid_response",
                                message: SecretRedactor.redact(message, secrets: configuration.secrets))
        }
    }

    /// Sends one call with retries and returns the 2xx body, or throws `ProviderError`.
    func send(_ method: HTTPMethod, _ path: String, query: String, body: Data?) async throws -> Data {
        let url = configuration.baseURL + path + (query.isEmpty ? "" : "?" + query)
        let key = method == .GET ? nil : IdempotencyKey.make()
        let maxAttempts = retryPolicy.maxRetries + 1
        var retriesTaken = 0
        var attempts = 0
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers = headers(method: method, idempotencyKey: key, retriesTaken: attempts)
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let failure: ProviderError
            let retryHeaders: HTTPHeaders?
            try await governor.admit(sleeper: sleeper)
            attempts += 1
            let outcome = await attempt(request, method: method, url: url, attemptNumber: attempts)
            governor.release()
            switch outcome {
            case .success(let data):
                governor.answered(success: true)
                return data
            case .failure(let error, let headers, let retryable):
                if error.status == 429, retryable, let headers {
                    // A busy API slows the run down rather than failing the call; the wait
                    // happens in the governor's next `admit`, for every request.
                    let verdict = governor.rateLimited(hint: RetryPolicy.serverHint(headers, now: Date()))
                    if let saturated = verdict.saturatedFor {
                        throw saturatedError(error, method: method, path: path, seconds: saturated)
                    }
                    if verdict.announce {
                        onRetry?(RetryEvent(method: method.rawValue, path: path, attempt: attempts, maxAttempts: maxAttempts,
                                            status: 429, errorCode: error.code.hasPrefix("HTTP_") ? nil : error.code,
                                            reason: error.message + "; slowing the run down", delay: verdict.wait,
                                            idempotencyKey: key))
                    }
                    try Task.checkCancellation()
                    continue
                }
                if headers != nil { governor.answered(success: false) }
                guard retryable, retriesTaken < retryPolicy.maxRetries else {
                    try Task.checkCancellation()
                    throw error
                }
                failure = error
                retryHeaders = headers
            }
            let delay = retryPolicy.delay(retriesTaken: retriesTaken, headers: retryHeaders)
            onRetry?(RetryEvent(method: method.rawValue, path: path, attempt: retriesTaken + 1,
                                maxAttempts: maxAttempts, status: failure.status == 0 ? nil : failure.status,
                                errorCode: failure.code.hasPrefix("HTTP_") ? nil : failure.code,
                                reason: failure.message, delay: delay, idempotencyKey: key))
            try await sleeper(delay)
            retriesTaken += 1
        }
    }

    /// The error of a call that met only 429s until the run's saturation deadline.
    func saturatedError(_ last: ProviderError, method: HTTPMethod, path: String, seconds: Double) -> ProviderError {
        let deadline = String(format: "%g", governor.saturationDeadline)
        let message = "the Dedalus API was saturated: it answered nothing but 429 RATE_LIMITED for "
            + String(format: "%.0f", seconds) + " s (the run's deadline, --rate-deadline \(deadline)); "
            + "last: \(method.rawValue) /\(path): \(last.message); lower --parallel or --rate, or run again later"
        return ProviderError(status: 429, code: "api_saturated", message: message, retryAfterMs: last.retryAfterMs)
    }

    /// What one attempt came to.
    enum Attempt {
        case success(Data)
        /// The error, the answer's headers (nil after a transport failure) and whether to retry.
        case failure(ProviderError, HTTPHeaders?, retryable: Bool)
    }

    /// Sends one attempt and classifies the outcome by the SDKs' rules. The whole attempt (headers,
    /// body and any redirect within the origin) must end within `configuration.requestTimeout`.
    func attempt(_ request: HTTPClientRequest, method: HTTPMethod, url: String, attemptNumber: Int) async -> Attempt {
        let seconds = configuration.requestTimeout
        let work = Task { try await self.exchange(request, method: method, url: url, seconds: seconds) }
        let timedOut = Locked(false)
        let timer = HTTPClient.defaultEventLoopGroup.any().scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            timedOut.withLock { $0 = true }
            work.cancel()
        }
        defer { timer.cancel() }
        do {
            let answer = try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
            if (200..<300).contains(answer.status) { return .success(answer.body) }
            var error = ProviderError.fromResponse(status: answer.status, headers: answer.headers, body: answer.body,
                                                   secrets: configuration.secrets)
            if let target = answer.redirectedTo {
                error.message += " (after a redirect to \(target), which clawrun follows without credentials)"
            }
            return .failure(error, answer.headers,
                            retryable: RetryPolicy.shouldRetry(status: answer.status, headers: answer.headers))
        } catch let refused as RedirectRefused {
            return .failure(refused.error(method: method.rawValue, url: url, secrets: configuration.secrets), nil,
                            retryable: false)
        } catch is NIOTooManyBytesError {
            let message = "\(method.rawValue) \(url): the answer is larger than \(configuration.maxResponseBytes) bytes "
                + "(CLAWRUN_API_MAX_RESPONSE_BYTES)"
            return .failure(ProviderError(status: 0, code: "response_too_large",
                                          message: SecretRedactor.redact(message, secrets: configuration.secrets)),
                            nil, retryable: false)
        } catch {
            // AsyncHTTPClient's own deadline for the head (`exchange` passes the same seconds) and
            // this timer race: whichever fires first, the attempt ran out of its time.
            let pastDeadline = timedOut.withLock { $0 } || (error as? HTTPClientError) == .deadlineExceeded
            if pastDeadline && !Task.isCancelled {
                let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
                let message = "\(method.rawValue) \(url): no complete answer within \(text) s "
                    + "(attempt \(attemptNumber); the deadline is CLAWRUN_API_TIMEOUT)"
                return .failure(ProviderError(status: 0, code: "timeout",
                                              message: SecretRedactor.redact(message, secrets: configuration.secrets),
                                              retryable: true), nil, retryable: true)
            }
            let wrapped = ProviderError.transport(error, method: method.rawValue, url: url, attempts: attemptNumber,
                                                  secrets: configuration.secrets)
            return .failure(wrapped, nil, retryable: Self.isRetryable(transportError: error))
        }
    }

    /// The headers of one attempt, as the Python SDK sends them (spec §3.3) minus its telemetry.
    func headers(method: HTTPMethod, idempotencyKey: String?, retriesTaken: Int) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: configuration.userAgent)
        if let apiKey = configuration.apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let xApiKey = configuration.xApiKey { headers.add(name: "x-api-key", value: xApiKey) }
        if let orgId = configuration.orgId { headers.add(name: "X-Dedalus-Org-Id", value: orgId) }
        if method != .GET {
            headers.add(name: "Content-Type", value: "application/json")
        }
        if let idempotencyKey { headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        headers.add(name: "x-clawrun-retry-count", value: String(retriesTaken))
        return headers
    }

    /// Transport failures worth another attempt: all but cancellation and a malformed request.
    static func isRetryable(transportError error: Error) -> Bool {
        if error is CancellationError { return false }
        if let e = error as? HTTPClientError {
            return ![HTTPClientError.invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown].contains(e)
        }
        return true
    }

    /// A short account of why a document did not decode.
    static func describe(decodingError error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "bad \(path)"
        default: return String(describing: error)
        }
    }
}
