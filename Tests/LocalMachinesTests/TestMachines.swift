import CProcess
import ClawrunCore
import Foundation
@testable import LocalMachines

/// A temporary CLAWRUN_HOME with a provider over it, removed after the test together with every
/// machine made in it, whether the test passed or not.
struct TestHome {
    let url: URL
    let provider: LocalProvider
    var poller: Poller { Poller(provider: provider) }

    /// Runs `body` with a fresh home, then destroys its machines, checks that nothing of them
    /// remains on the host, and removes the home.
    static func with(toolsDirectory: URL? = nil, _ body: (TestHome) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("clawrun-local-test-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let provider = try LocalProvider(home: url, toolsDirectory: toolsDirectory)
        let home = TestHome(url: url, provider: provider)
        var failure: Error?
        do { try await body(home) } catch { failure = error }
        await home.destroyEverything()
        await provider.shutdown()
        try? FileManager.default.removeItem(at: url)
        if let failure { throw failure }
    }

    /// Whether the filesystem of temporary folders takes the top-directory flag (ext2/3/4 do).
    static var temporaryFilesystemTakesTopDirectories: Bool {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-topdir-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: false)) != nil
        else { return false }
        defer { try? FileManager.default.removeItem(at: scratch) }
        return clawrun_mark_top_directory(scratch.path) == 0
    }

    /// Creates a machine and waits until it runs.
    func running(_ spec: MachineSpec = MachineSpec(memoryMiB: 256)) async throws -> Machine {
        let created = try await provider.create(spec)
        return try await poller.waitPhase(machineId: created.id, phases: [.running], timeout: 120)
    }

    /// Runs a bash line in a machine and waits for it to end.
    func sh(_ id: String, _ line: String, timeoutMs: Int? = nil) async throws -> ExecResult {
        try await poller.run(machineId: id, ExecRequest.shell(line, timeoutMs: timeoutMs), timeout: 120)
    }

    /// Host processes whose command line or cwd mentions this home (a leaked sandbox would).
    func processesUsingHome() -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.compactMap { pid in
            guard pid != getpid(), let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
            else { return nil }
            let text = String(decoding: cmdline.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            if let stat = ProcStat(pid: pid), stat.isDead { return nil }
            return text.contains(url.path) ? "\(pid): \(text.prefix(120))" : nil
        }
    }

    /// Mount points under this home visible to the host.
    func mountsUnderHome() -> [String] {
        let text = ProcFiles.read("/proc/self/mountinfo") ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4].hasPrefix(url.path) ? String(fields[4]) : nil
        }
    }

    /// Folders of machines left under this home.
    func machineFolders() -> [String] {
        let dir = url.appendingPathComponent("machines")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasSuffix(".json") }
    }

    private func destroyEverything() async {
        let ids = machineFolders()
        for id in ids { _ = try? await provider.delete(id) }
        for id in ids {
            _ = try? await poller.waitPhase(machineId: id, phases: [.destroyed], timeout: 60)
            await provider.lifecycle.idle(id)
        }
        // Last resort, so that a failed test never leaves a namespace init behind on the host.
        for id in machineFolders() { provider.store.initIdentity(id)?.send(SIGKILL) }
    }
}

/// The provider process's resident memory in KiB.
func residentKiB() -> Int {
    let text = ProcFiles.read("/proc/self/status") ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
