@testable import MachinesAPIServer
import Foundation
import Testing

@Suite struct IdempotencyStoreTests {
    private let ok = APIResponse(status: .ok, body: Data())
    private let unavailable = APIResponse(status: .serviceUnavailable, body: Data())

    /// Whether the store takes `key` as new (and so starts remembering it).
    private func isNew(_ store: IdempotencyStore, _ key: String) async -> Bool {
        if case .proceed = await store.begin(key: key, hash: "h") { return true }
        return false
    }

    @Test func keyStoredAgainAfterATransientAnswerCountsAsNew() async {
        let store = IdempotencyStore(capacity: 2)
        #expect(await isNew(store, "a"))
        #expect(await isNew(store, "b"))
        await store.finish(key: "a", response: unavailable)
        #expect(await isNew(store, "a"))
        await store.finish(key: "a", response: ok)
        #expect(await isNew(store, "c"))
        #expect(await !isNew(store, "a"), "a was stored after b, so b is the oldest and goes first")
        #expect(await !isNew(store, "c"))
        #expect(await isNew(store, "b"))
    }

    @Test func onlyTheNewestKeysAreKept() async {
        let store = IdempotencyStore(capacity: 100)
        for i in 0..<1000 {
            #expect(await isNew(store, "k\(i)"))
            if i % 3 == 1 { await store.finish(key: "k\(i)", response: unavailable) }
        }
        let remembered = (0..<1000).filter { $0 % 3 != 1 }
        for i in remembered.suffix(100) { #expect(await !isNew(store, "k\(i)")) }
        #expect(await isNew(store, "k\(remembered[remembered.count - 101])"))
    }
}
