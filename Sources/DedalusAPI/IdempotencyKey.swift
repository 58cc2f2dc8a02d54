import Foundation

/// `Idempotency-Key` values as the official SDKs make them: a compact UUIDv7 (32 lowercase hex
/// digits, no hyphens) of a 48-bit millisecond timestamp, the version nibble `7`, then random bits
/// of a UUIDv4 (whose variant nibble is in 8...b).
enum IdempotencyKey {
    /// A fresh key for one logical call; its retries reuse it.
    static func make(now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let timestamp = String(millis, radix: 16)
        let padded = String(repeating: "0", count: 12 - timestamp.count) + timestamp
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return padded + "7" + random.dropFirst(13)
    }
}
