#if canImport(Glibc)
import Glibc
#endif
import ClawrunCore
import Foundation

/// What a stopped machine becomes.
enum StopOutcome {
    case sleeping, destroyed, rebooting
}

extension LocalProvider {
    /// Brings a machine whose desired state is running to `running`: launches its sandbox unless
    /// one lives, waits for it to be ready, or records `failed` with the sandbox's last words.
    func boot(_ id: String, resetRoot: Bool) async {
        guard let record = store.load(id), record.desired == .running, record.phase != .destroyed else { return }
        do {
            var admitted = false
            defer { if admitted { bootGate.leave() } }
            var launcher: ProcessIdentity?
            var signal: BootSignal?
            // init.pid is rewritten in place, so until the new init writes it, it names the last one.
            let previous = store.initIdentity(id)
            if sandbox.state(id) == .gone {
                await bootGate.enter()
                admitted = true
                let tools = try HostSupport.tools()
                try store.update(id) { $0.transition(to: .starting, reason: "Starting") }
                if resetRoot { try store.resetRoot(id) }
                MemoryLimit.remove(machineID: id)
                let cgroup = record.memoryEnforced ? MemoryLimit.create(machineID: id, memoryMiB: record.memoryMiB) : nil
                let (pid, ready) = try sandbox.launch(id, tools: tools, cgroup: cgroup, nat: record.network == "nat")
                launcher = ProcessIdentity.of(pid: pid)
                signal = BootSignal()
                do {
                    try reactor.watch(pid: pid, stdout: ready, sink: signal)
                } catch {
                    close(ready)
                    throw error
                }
            }
            let deadline = monotonicNow() + LocalProvider.bootTimeout
            var identity = store.initIdentity(id)
            while case let state = sandbox.state(of: identity, id), state != .ready {
                let initDied = state == .gone && identity != nil && identity != previous
                if initDied || launcher?.isAlive == false && state == .gone {
                    throw ClawrunError.failed(sandbox.failureText(id))
                }
                if monotonicNow() > deadline {
                    _ = await sandbox.kill(id)
                    throw ClawrunError.failed("the sandbox did not start within \(Int(LocalProvider.bootTimeout)) s")
                }
                // A sandbox this process did not launch (another one is booting it) is polled.
                if let signal, !signal.hasFired {
                    await signal.wait(until: deadline)
                } else {
                    try? await Task.sleep(nanoseconds: 5_000_000)
                }
                identity = store.initIdentity(id)
            }
            // Only the boot that launched the sandbox gives it NAT: a wake of a running machine
            // must not start a second helper.
            if launcher != nil, record.network == "nat", let target = identity {
                try NatNetwork.start(store: store, id: id, target: target, reactor: reactor)
            }
            try store.update(id) { r in
                if r.desired == .running { r.transition(to: .running, reason: "DesiredStateReached") }
            }
        } catch {
            _ = await sandbox.kill(id)
            MemoryLimit.remove(machineID: id)
            _ = try? store.update(id) { $0.transition(to: .failed, reason: "SandboxStartFailed", lastError: "\(error)") }
        }
    }

    /// Ends every process of the machine, then makes it sleep (root reset), destroyed (folder
    /// removed) or ready to boot again (files kept).
    func stop(_ id: String, then outcome: StopOutcome) async {
        let killed = await sandbox.kill(id)
        NatNetwork.stop(store: store, id: id)
        MemoryLimit.remove(machineID: id)
        guard killed else {
            _ = try? store.update(id) { $0.lastError = "the machine's init did not end after SIGKILL" }
            return
        }
        do {
            switch outcome {
            case .sleeping:
                try store.resetRoot(id)
                try store.update(id) { r in
                    if r.desired == .sleeping { r.transition(to: .sleeping, reason: "DesiredStateReached") }
                }
            case .destroyed:
                if let record = store.load(id) { try await store.destroy(record) }
            case .rebooting:
                break
            }
        } catch {
            _ = try? store.update(id) { $0.lastError = "\(error)" }
        }
    }
}
