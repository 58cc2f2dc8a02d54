import Foundation

/// Ids in the shapes Dedalus uses, so that output and scripts look the same on both providers.
enum Identifiers {
    /// A machine id `dm-<uuid v7>`: time-ordered, so sorting ids lists machines by creation.
    static func machineID(now: Date = Date()) -> String {
        let ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        for i in 0..<6 { bytes[i] = UInt8((ms >> (8 * (5 - UInt64(i)))) & 0xff) }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)
        bytes[8] = 0x80 | (bytes[8] & 0x3f)
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { r -> String in
            let s = hex.index(hex.startIndex, offsetBy: r.lowerBound)
            let e = hex.index(hex.startIndex, offsetBy: r.upperBound)
            return String(hex[s..<e])
        }
        return "dm-" + parts.joined(separator: "-")
    }

    /// An execution id `wexec-<40 hex>`.
    static func executionID() -> String {
        // Hex digits by table: String(format:) per byte made this a visible part of starting an execution.
        let digits = Array("0123456789abcdef".utf8)
        var id = Array("wexec-".utf8)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let byte = UInt8.random(in: 0...255, using: &random)
            id += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
        }
        return String(decoding: id, as: UTF8.self)
    }

    /// Whether `id` has the machine id shape; anything else is unknown without touching the disk,
    /// which also keeps ids like `../x` from naming paths.
    static func isMachineID(_ id: String) -> Bool {
        // Bytes, not Characters: this runs on every request, and Unicode properties cost.
        let bytes = id.utf8
        guard bytes.count == 39, bytes.starts(with: "dm-".utf8) else { return false }
        return bytes.dropFirst(3).allSatisfy { b in
            b == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
        }
    }
}
