import ClawrunTestSupport
import ClawrunCore
import Foundation
import Testing

@Suite struct TargetSelectionTests {
    @Test func machinesFileSkipsCommentsBlanksAndDuplicates() {
        let text = "# fleet\n\ndm-a\n  dm-b   # the big one\n\r\ndm-a\n#dm-c\ndm-d"
        #expect(TargetFile.parse(text) == ["dm-a", "dm-b", "dm-d"])
    }

    @Test func missingMachinesFileIsAUsageError() {
        #expect(throws: ClawrunError.usage("--machines @/nonexistent/ids.txt: no such file (one machine id a line)")) {
            try TargetFile.read("@/nonexistent/ids.txt")
        }
    }

    @Test func machinesFileIsReadWithOrWithoutTheAt() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ids-\(UUID().uuidString).txt")
        try "m1\nm2\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try TargetFile.read("@" + url.path) == ["m1", "m2"])
        #expect(try TargetFile.read(url.path) == ["m1", "m2"])
    }

    @Test func selectorsParseAndRejectUnknownKeys() throws {
        let s = try MachineSelector(parsing: "phase=sleeping")
        #expect(s.key == "phase" && s.value == "sleeping" && !s.negated)
        #expect(try MachineSelector(parsing: "phase!=running").negated)
        #expect(try MachineSelector(parsing: "id=m1").key == "machine_id")
        #expect(throws: ClawrunError.self) { try MachineSelector(parsing: "colour=blue") }
        #expect(throws: ClawrunError.self) { try MachineSelector(parsing: "phase") }
        #expect(throws: ClawrunError.self) { try MachineSelector(parsing: "phase=snoozing") }
    }

    @Test func selectorsOrWithinAKeyAndAndAcrossKeys() throws {
        let fleet = StubProvider.fleet(9).machines
        let sleepingOrFailed = try ["phase=sleeping", "phase=failed"].map(MachineSelector.init(parsing:))
        #expect(fleet.filter { MachineSelector.matchAll(sleepingOrFailed, $0) }.count == 6)
        let twoCPUsAsleep = try ["phase=sleeping", "vcpu=2"].map(MachineSelector.init(parsing:))
        #expect(fleet.filter { MachineSelector.matchAll(twoCPUsAsleep, $0) }.map(\.id) == ["m1", "m7"])
        let notRunningNotFailed = try ["phase!=running", "phase!=failed"].map(MachineSelector.init(parsing:))
        #expect(fleet.filter { MachineSelector.matchAll(notRunningNotFailed, $0) }.map(\.id) == ["m1", "m4", "m7"])
    }

    @Test func selectOrShardAloneStartsFromEveryMachine() async throws {
        let provider = StubProvider.fleet(10)
        let selection = TargetSelection(selectors: [try MachineSelector(parsing: "phase=running")])
        #expect(selection.startsFromAll)
        let ids = try await selection.resolve(provider).map(\.id)
        #expect(ids == ["m3", "m6", "m9"])
    }

    @Test func fewIdsAreGotOneByOneManyAreListed() async throws {
        let provider = StubProvider.fleet(20)
        _ = try await TargetSelection(ids: ["m2", "m1"]).resolve(provider)
        #expect(provider.callLog == ["get m2", "get m1"])
        let many = StubProvider.fleet(20)
        let ids = (1...12).reversed().map { "m\($0)" }
        #expect(try await TargetSelection(ids: ids).resolve(many).map(\.id) == ids)
        #expect(!many.callLog.contains { $0.hasPrefix("get") })
    }

    @Test func unknownIdNamesItself() async throws {
        await #expect(throws: ClawrunError.invalidArgument("--machine nope: no such machine on provider stub")) {
            try await TargetSelection(ids: ["m1", "nope"]).resolve(StubProvider.fleet(3))
        }
    }

    @Test func allFollowsEveryPageAndTakesAListedIdOnce() async throws {
        let provider = StubProvider.fleet(10)
        let ids = try await TargetSelection(ids: ["m2"], all: true).resolve(provider).map(\.id)
        #expect(ids == (1...10).map { "m\($0)" })
        #expect(provider.callLog == ["list", "list", "list", "list"])
    }
}
