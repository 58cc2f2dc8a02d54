/// One output stream of an execution: the first `limit` bytes kept, every byte counted, so that a
/// command writing 50 MB costs `limit` bytes of memory.
struct OutputCapture: Sendable {
    static let defaultLimit = 1 << 20

    let limit: Int
    private(set) var kept: [UInt8] = []
    private(set) var total = 0
    var truncated: Bool { total > kept.count }

    init(limit: Int = OutputCapture.defaultLimit) { self.limit = limit }

    /// Counts `bytes` and keeps what fits; returns the kept part (empty once the limit is reached).
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> ArraySlice<UInt8> {
        total += bytes.count
        let room = max(0, limit - kept.count)
        guard room > 0 else { return [] }
        let start = kept.count
        kept += bytes.prefix(room)
        return kept[start...]
    }

    /// The kept bytes as text (invalid UTF-8 replaced).
    var text: String { String(decoding: kept, as: UTF8.self) }
}
