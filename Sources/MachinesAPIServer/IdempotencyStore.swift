import Foundation

/// Answers stored by `Idempotency-Key`: the same key with the same request (method, path, query and
/// body) replays the stored answer; with a different request it is a 409 `IDEMPOTENCY_KEY_REUSED`;
/// while the first request still runs it is a 429 "already in-flight". Only final answers are
/// stored (not 429 or 5xx), so a retry after a transient failure runs the request again.
actor IdempotencyStore {
    /// What to do with a request carrying a key.
    enum Decision {
        case proceed
        case replay(APIResponse)
        case reject(APIError)
    }

    private enum Entry {
        case inFlight(hash: String)
        case done(hash: String, response: APIResponse)
    }

    private var entries: [String: (entry: Entry, serial: Int)] = [:]
    /// Keys oldest first from `head` on, with the serial they were stored under: a key forgotten (and
    /// maybe stored again) leaves a stale item here rather than costing a search of the whole list.
    private var order: [(key: String, serial: Int)] = []
    private var head = 0
    private var nextSerial = 0
    private let capacity: Int

    /// Makes a store that forgets its oldest keys beyond `capacity`.
    init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Looks a key up and, when it is new, marks it in flight.
    func begin(key: String, hash: String) -> Decision {
        switch entries[key]?.entry {
        case nil:
            entries[key] = (.inFlight(hash: hash), nextSerial)
            order.append((key, nextSerial))
            nextSerial += 1
            while entries.count > capacity {
                let oldest = order[head]
                head += 1
                if entries[oldest.key]?.serial == oldest.serial { entries[oldest.key] = nil }
            }
            compactOrder()
            return .proceed
        case .inFlight(let stored):
            if stored != hash { return .reject(IdempotencyStore.reused(expected: stored, provided: hash)) }
            return .reject(APIError(429, "RATE_LIMITED", "idempotency key is already in-flight", retryable: true,
                                    retryAfterMs: 250))
        case .done(let stored, let response):
            if stored != hash { return .reject(IdempotencyStore.reused(expected: stored, provided: hash)) }
            return .replay(response)
        }
    }

    /// Stores the answer of a request that began, or forgets the key when the answer is transient.
    func finish(key: String, response: APIResponse) {
        let code = response.status.code
        if code == 429 || code >= 500 {
            entries[key] = nil
            compactOrder()
        } else if let stored = entries[key], case .inFlight(let hash) = stored.entry {
            entries[key] = (.done(hash: hash, response: response), stored.serial)
        }
    }

    /// Drops used and stale items once they outnumber the live keys, so each costs O(1) amortised.
    private func compactOrder() {
        guard order.count > 2 * entries.count + 64 else { return }
        order = order[head...].filter { entries[$0.key]?.serial == $0.serial }
        head = 0
    }

    /// A short FNV-1a hash of a request's method, path, query and body.
    static func hash(_ request: APIRequest) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let parts = [Data(request.method.rawValue.utf8), Data(request.path.utf8), Data(request.rawQuery.utf8), request.body]
        for part in parts {
            for byte in part + [0] {
                h ^= UInt64(byte)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        return String(h >> 32, radix: 16)
    }

    private static func reused(expected: String, provided: String) -> APIError {
        APIError(409, "IDEMPOTENCY_KEY_REUSED", "idempotency key reused with different request parameters",
                 details: ["expected_request_hash": expected, "provided_request_hash": provided])
    }
}
