import ClawrunCore
import Foundation
import Testing

@Suite struct RunRecordTests {
    func withStore(_ body: (RunRecordStore) throws -> Void) throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        try body(RunRecordStore(home: home))
    }

    func write(_ store: RunRecordStore, _ workflow: String, _ events: [RunEvent], at date: Date = Date()) throws -> URL {
        let (url, handle) = try store.create(workflow: workflow, date: date)
        for e in events { handle.write(Data((e.json.compactText + "\n").utf8)) }
        try handle.close()
        return url
    }

    func recap(_ rows: [(String, String)]) -> RunEvent {
        RunEvent("recap", fields: [("machines", .array(rows.map {
            .object([("machine", .string($0.0)), ("status", .string($0.1))])
        }))])
    }

    @Test func recordsAreOwnerOnlyAndNamedByTimeAndWorkflow() throws {
        try withStore { store in
            let url = try write(store, "wake-recover", [], at: Date(timeIntervalSince1970: 1_700_000_000.25))
            #expect(url.lastPathComponent == "20231114T221320.250Z-wake-recover.jsonl")
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let dir = try FileManager.default.attributesOfItem(atPath: store.directory.path)
            #expect((dir[.posixPermissions] as? Int) == 0o700)
        }
    }

    @Test func recordsOfOneWorkflowAreNotConfusedWithASuffixedName() throws {
        try withStore { store in
            let t = Date(timeIntervalSince1970: 1_700_000_000)
            let a = try write(store, "recover", [], at: t)
            _ = try write(store, "wake-recover", [], at: t.addingTimeInterval(1))
            let b = try write(store, "recover", [], at: t.addingTimeInterval(2))
            #expect(store.records(workflow: "recover") == [a, b])
        }
    }

    @Test func sameMillisecondGetsTheNextFreeName() throws {
        try withStore { store in
            let t = Date(timeIntervalSince1970: 1_700_000_000)
            let a = try write(store, "w", [], at: t)
            let b = try write(store, "w", [], at: t)
            #expect(a != b)
            #expect(store.records(workflow: "w") == [a, b])
        }
    }

    @Test func retryTargetsAreFailedSkippedAndInterruptedMachines() throws {
        try withStore { store in
            let url = try write(store, "w", [
                RunEvent("run_start", fields: [("shard", .string("2/3"))]),
                RunEvent("log", fields: [("message", .string("{\"event\":\"recap\"} in a log line is not a recap"))]),
                recap([("a", "ok"), ("b", "failed"), ("c", "changed"), ("d", "skipped"), ("e", "interrupted")]),
            ])
            let record = try RunRecord(url: url)
            #expect(record.shard == "2/3")
            #expect(record.retryTargets == ["b", "d", "e"])
        }
    }

    @Test func aKilledRunsRecordHasNoRecapAndACutLastLine() throws {
        try withStore { store in
            let url = try write(store, "w", [RunEvent("run_start")])
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            handle.write(Data("{\"event\":\"recap\",\"machi".utf8))
            try handle.close()
            #expect(try RunRecord(url: url).retryTargets == nil)
        }
    }

    @Test func pruneKeepsTheNewest() throws {
        try withStore { base in
            var store = base
            store.keep = 2
            let t = Date(timeIntervalSince1970: 1_700_000_000)
            let urls = try (0..<4).map { try write(store, "w", [], at: t.addingTimeInterval(Double($0))) }
            store.prune(workflow: "w")
            #expect(store.records(workflow: "w") == Array(urls.suffix(2)))
        }
    }
}
