#if canImport(Glibc)
import Glibc
#endif
import ClawrunCore
import Foundation

/// Outbound network for machines created with `network = "nat"`: slirp4netns gives the machine's
/// network namespace a tap device routed through user-space NAT, with DNS at 10.0.2.3.
enum NatNetwork {
    /// slirp4netns's path, or the error naming the package to install.
    static func tool() throws -> String {
        guard let path = HostSupport.find("slirp4netns") else {
            throw ClawrunError.unsupported(
                "network \"nat\" needs slirp4netns, which is not installed: `apt-get install -y slirp4netns` "
                    + "(or create the machine without network for loopback only)")
        }
        return path
    }

    /// Attaches NAT to the namespaces of `target` and records the helper so that `stop` can end it.
    static func start(store: MachineStore, id: String, target: ProcessIdentity, reactor: ProcessReactor) throws {
        let path = try tool()
        let log = open(store.logFile(id).path, O_WRONLY | O_APPEND | O_CLOEXEC)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            if log >= 0 { close(log) }
            if null >= 0 { close(null) }
        }
        // The network namespace belongs to the outer user namespace, the launcher's (the host's
        // under a root clawrun), not to the machine's own one its init is in: slirp4netns joins
        // the one it is given before the network namespace.
        guard let launcher = ProcStat(pid: target.pid)?.parent, launcher > 1 else {
            throw ClawrunError.failed("machine \(id)'s init has no launcher to attach NAT through")
        }
        let pid = try Spawner.spawn(
            path: path, argv: [path, "--configure", "--mtu=65520", "--disable-host-loopback",
                               "--userns-path=/proc/\(launcher)/ns/user", String(target.pid), "tap0"],
            env: HostSupport.baseEnvironment.map { "\($0.key)=\($0.value)" }, stdin: null, stdout: log, stderr: log)
        try reactor.watch(pid: pid)
        if let helper = ProcessIdentity.of(pid: pid) {
            try "\(helper.pid) \(helper.startTime)\n".write(to: store.natFile(id), atomically: true, encoding: .utf8)
        }
    }

    /// Ends the machine's NAT helper, if it has one.
    static func stop(store: MachineStore, id: String) {
        let file = store.natFile(id)
        ProcFiles.read(file.path).flatMap(ProcessIdentity.init(text:))?.send(SIGKILL)
        try? FileManager.default.removeItem(at: file)
    }
}
