import ClawrunCore
import Foundation
import Testing
@testable import LocalMachines

@Suite("State files")
struct StateFileTests {
    @Test("read-modify-write from many threads loses no update")
    func concurrentUpdates() async throws {
        try await withFile("0") { path in
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<50 {
                            _ = try? StateFile.update(path) { bytes in
                                let n = Int(String(decoding: bytes, as: UTF8.self)
                                    .trimmingCharacters(in: .whitespaces)) ?? -1_000
                                return Array(String(n + 1).utf8)
                            }
                        }
                    }
                }
            }
            #expect(StateFile.read(path).map { String(decoding: $0, as: UTF8.self) } == "400")
        }
    }

    @Test("a shorter rewrite leaves exactly the new text; a missing file is nil, not an error")
    func shrinkAndMissing() async throws {
        try await withFile(#"{"phase": "accepted", "reason": "a long reason"}"#) { path in
            let written = try StateFile.update(path) { _ in Array(#"{"phase": "running"}"#.utf8) }
            #expect(written.map { String(decoding: $0, as: UTF8.self) } == #"{"phase": "running"}"#)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"phase": "running"}"#)
            #expect(try StateFile.update(path) { _ in nil } == nil)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"phase": "running"}"#)
            let missing = path + ".missing"
            #expect(StateFile.read(missing) == nil)
            #expect(try StateFile.update(missing) { $0 } == nil)
        }
    }

    private func withFile(_ text: String, _ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-state-\(UUID().uuidString).json").path
        try StateFile.create(path, Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }
}
