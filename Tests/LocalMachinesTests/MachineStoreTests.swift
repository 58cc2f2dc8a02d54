import ClawrunCore
import Foundation
import Testing
@testable import LocalMachines

@Suite("Machine store")
struct MachineStoreTests {
    @Test("a state file rewritten by another process is read as written, not as last decoded")
    func readsOtherWriters() throws {
        let home = FileManager.default.temporaryDirectory
            .appendingPathComponent("clawrun-store-test-\(UUID().uuidString.prefix(8))", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: home) }
        // Two stores on one home stand for two clawrun processes: each has its own decoded records.
        let mine = MachineStore(home: home), theirs = MachineStore(home: home)
        let now = Date()
        let record = MachineRecord(
            id: Identifiers.machineID(now: now), vcpu: 1, memoryMiB: 256, storageGiB: 10, autosleepSeconds: 300,
            network: nil, createdAt: now, desired: .running, phase: .accepted, reason: "Accepted", lastError: nil,
            transitionAt: now, memoryEnforced: false)
        try mine.create(record, owner: geteuid())
        #expect(mine.load(record.id)?.phase == .accepted)
        try theirs.update(record.id) { $0.transition(to: .running, reason: "DesiredStateReached") }
        #expect(mine.load(record.id)?.phase == .running)
        try mine.update(record.id) { $0.desired = .sleeping }
        #expect(theirs.load(record.id)?.desired == .sleeping)
        #expect(theirs.load(record.id)?.phase == .running)
    }

    @Test("machine ids are dm- and a lowercase UUID, nothing else")
    func machineIDShape() {
        let id = Identifiers.machineID()
        #expect(Identifiers.isMachineID(id))
        #expect(!Identifiers.isMachineID(id.uppercased()))
        #expect(!Identifiers.isMachineID(id + "0"))
        #expect(!Identifiers.isMachineID(String(id.dropLast()) + "g"))
        #expect(!Identifiers.isMachineID(String(id.dropLast()) + "é"))
        #expect(!Identifiers.isMachineID("dm-../../../../../../../../etc/passwd"))
    }
}
