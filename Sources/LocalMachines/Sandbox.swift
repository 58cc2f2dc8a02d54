#if canImport(Glibc)
import Glibc
#endif
import CProcess
import ClawrunCore
import Foundation

/// Starts and ends a machine's sandbox: util-linux `unshare` makes new mount, PID, network, UTS
/// and IPC namespaces (and an outer user namespace when clawrun is not root) and starts
/// `clawrun-init` in them, which builds the machine's root, enters it and the machine's own user
/// namespace, and stays as its PID 1, in its own session so that it outlives the clawrun process.
struct Sandbox: Sendable {
    let store: MachineStore
    let toolsDirectory: URL?
    let base: MachineBase

    /// Where the sandbox is now.
    func state(_ id: String) -> SandboxState {
        state(of: store.initIdentity(id), id)
    }

    /// Where the sandbox is, given the init identity already read from its init.pid.
    func state(of identity: ProcessIdentity?, _ id: String) -> SandboxState {
        guard let identity, identity.isAlive else { return .gone }
        return identity.isReadyInit ? .ready : .booting
    }

    /// Launches the sandbox's init and returns the launcher's pid, which the caller must reap,
    /// and the read end of a pipe on which the init says when the machine's root is ready.
    func launch(_ id: String, tools: HostTools, cgroup: URL?, nat: Bool) throws -> (pid: Int32, ready: Int32) {
        let log = open(store.logFile(id).path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            if log >= 0 { close(log) }
            if null >= 0 { close(null) }
        }
        guard log >= 0, null >= 0 else {
            throw ClawrunError.failed("cannot open \(store.logFile(id).path): \(String(cString: strerror(errno)))")
        }
        let basePath = try base.path(owner: tools.machineRoot)
        var argv = [tools.unshare, "--mount", "--pid", "--net", "--uts", "--ipc", "--fork", "--kill-child",
                    "--propagation", "private"]
        if tools.userNamespace { argv += ["--user", "--map-root-user"] }
        argv += ["--", tools.initProgram, store.folder(id).path, id, basePath, toolsDirectory?.path ?? "",
                 cgroup?.path ?? "", nat ? "nat" : "none", tools.idMap]
        let env = HostSupport.baseEnvironment.map { "\($0.key)=\($0.value)" }
        var ready: [Int32] = [-1, -1]
        let rc = clawrun_pipe(&ready)
        guard rc == 0 else { throw ClawrunError.failed("cannot make a pipe: \(String(cString: strerror(rc)))") }
        defer { close(ready[1]) }
        do {
            let pid = try Spawner.spawn(path: tools.unshare, argv: argv, env: env, stdin: null, stdout: ready[1],
                                        stderr: log)
            return (pid, ready[0])
        } catch {
            close(ready[0])
            throw error
        }
    }

    /// Kills every process of the machine (killing a PID namespace's init ends all of it) and
    /// waits until the init is gone; false if it outlived `timeout` seconds.
    func kill(_ id: String, timeout: Double = 20) async -> Bool {
        guard let identity = store.initIdentity(id) else { return true }
        // The launcher (unshare) exits right after its init; waiting for it too lets whoever
        // watches it reap it before, say, the provider shuts down.
        let launcher = ProcStat(pid: identity.pid).flatMap { ProcessIdentity.of(pid: $0.parent) }
            .flatMap { $0.pid > 1 ? $0 : nil }
        identity.send(SIGKILL)
        let deadline = monotonicNow() + timeout
        while identity.isAlive || launcher?.isAlive == true {
            if monotonicNow() > deadline { return false }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return true
    }

    /// The last lines the sandbox wrote, for a failed machine's last_error.
    func failureText(_ id: String) -> String {
        let text = ProcFiles.read(store.logFile(id).path) ?? ""
        let lines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? "the sandbox init exited without a message" : lines
    }
}
