import ClawrunCore

/// Request paths of the Machines API, relative to the base URL, with path parameters
/// percent-encoded as RFC 3986 `pchar` (so `/` inside an id is encoded) and empty ones refused.
enum DedalusPath {
    /// `v1/machines`
    static let machines = "v1/machines"

    /// `v1/machines/{machine_id}` plus an optional suffix such as `sleep`.
    static func machine(_ id: String, _ suffix: String? = nil) throws -> String {
        let base = machines + "/" + (try segment(id, name: "machine id"))
        return suffix.map { base + "/" + $0 } ?? base
    }

    /// `v1/machines/{machine_id}/executions`
    static func executions(_ machineId: String) throws -> String {
        try machine(machineId, "executions")
    }

    /// `v1/machines/{machine_id}/executions/{execution_id}` plus an optional suffix such as `output`.
    static func execution(_ machineId: String, _ executionId: String, _ suffix: String? = nil) throws -> String {
        let base = try executions(machineId) + "/" + (try segment(executionId, name: "execution id"))
        return suffix.map { base + "/" + $0 } ?? base
    }

    /// A query string (`limit=10&cursor=abc`) with its values percent-encoded; empty when no pairs.
    static func query(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { name, value in value.map { name + "=" + encode($0, keeping: unreserved) } }
            .joined(separator: "&")
    }

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    private static let pchar = unreserved.union("!$&'()*+,;=:@".utf8)

    private static func segment(_ value: String, name: String) throws -> String {
        guard !value.isEmpty else { throw ClawrunError.invalidArgument("the \(name) is empty") }
        return encode(value, keeping: pchar)
    }

    private static func encode(_ value: String, keeping allowed: Set<UInt8>) -> String {
        var out = ""
        for byte in value.utf8 {
            if allowed.contains(byte) {
                out.append(Character(UnicodeScalar(byte)))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
