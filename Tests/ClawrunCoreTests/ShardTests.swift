import ClawrunCore
import Foundation
import Testing

@Suite struct ShardTests {
    @Test func partsCoverEveryIdExactlyOnce() throws {
        let ids = (0..<1000).map { _ in "dm-\(UUID().uuidString.lowercased())" }
        for n in [1, 2, 3, 7] {
            let shards = try (1...n).map { try Shard($0, of: n) }
            for id in ids { #expect(shards.filter { $0.contains(id) }.count == 1) }
            // A hash split is roughly even: no part is empty or holds twice its share.
            for shard in shards {
                let size = ids.filter(shard.contains).count
                #expect(size > 0 && size < 2 * ids.count / n + 10)
            }
        }
    }

    @Test func hashIsStable() {
        // FNV-1a test vectors: the split must never change between versions, or cron jobs would overlap.
        #expect(Shard.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func badShardsAreUsageErrors() {
        for text in ["0/3", "4/3", "1/0", "3", "a/b", "1/2/3", "-1/2"] {
            #expect(throws: ClawrunError.self) { try Shard(parsing: text) }
        }
    }
}
