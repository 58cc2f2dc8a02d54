/// `--shard K/N`: the K-th of N disjoint parts of a fleet, chosen by a hash of each machine id, so
/// that N cron jobs given the same fleet share it without overlap whatever order the provider
/// lists machines in, and a machine stays in its shard as others come and go.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based index of this part.
    public let index: Int
    /// How many parts.
    public let count: Int

    /// Makes shard `index` of `count`; `1 <= index <= count` or a usage error.
    public init(_ index: Int, of count: Int) throws {
        guard count >= 1, (1...count).contains(index) else {
            throw ClawrunError.usage("--shard \(index)/\(count): K/N needs 1 <= K <= N")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ClawrunError.usage("--shard '\(text)' is not K/N (e.g. 2/3)")
        }
        try self.init(k, of: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the machine id falls in this shard.
    public func contains(_ id: String) -> Bool {
        Int(Shard.hash(id) % UInt64(count)) == index - 1
    }

    /// 64-bit FNV-1a of the id's UTF-8 bytes: stable across processes and Swift versions, unlike `hashValue`.
    public static func hash(_ id: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
