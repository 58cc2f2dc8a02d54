#if canImport(Glibc)
import Glibc
#endif
import ClawrunCore
import Foundation

/// The host programs a local machine is made with, found once the host is known to support them.
struct HostTools: Sendable {
    var unshare: String
    /// `clawrun-init`, the machine's PID 1, built and installed beside clawrun.
    var initProgram: String
    /// Whether the launcher makes an outer user namespace, because clawrun does not run as root.
    /// Machines always get a user namespace of their own besides (clawrun-init makes it).
    var userNamespace: Bool
    /// The host uid (and gid) that is root inside machines: an unprivileged range under a root
    /// clawrun, the invoking user otherwise.
    var machineRoot: uid_t
    /// The uid_map and gid_map line of machines' own user namespaces.
    var idMap: String
}

/// What this host offers local machines: namespaces, tools and memory. Every refusal names the
/// remedy, and nothing ever falls back to running commands on the host itself.
enum HostSupport {
    /// The tools for sandboxes, or `ClawrunError.unsupported` saying what is missing and what to do.
    /// Found once per process (every wake asks); a refusal is not kept, so installing what was
    /// missing helps a long-running `clawrun serve` at once.
    static func tools() throws -> HostTools {
        if let found = found.withLock({ $0 }) { return found }
        let tools = try discover()
        found.withLock { $0 = tools }
        return tools
    }

    private static let found = Locked<HostTools?>(nil)

    private static func discover() throws -> HostTools {
        #if !os(Linux)
        throw ClawrunError.unsupported(
            "local machines need Linux namespaces and this host is not Linux: use the Dedalus provider instead")
        #else
        if needsUserNamespace {
            if let text = ProcFiles.read("/proc/sys/kernel/unprivileged_userns_clone"),
               text.trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
                throw ClawrunError.unsupported(
                    "local machines need user namespaces, which this host disables for non-root users: run clawrun "
                        + "as root, or enable them with `sysctl kernel.unprivileged_userns_clone=1`")
            }
            if let text = ProcFiles.read("/proc/sys/user/max_user_namespaces"),
               text.trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
                throw ClawrunError.unsupported(
                    "local machines need user namespaces, which this host disables (user.max_user_namespaces = 0): "
                        + "run clawrun as root, or enable them with `sysctl user.max_user_namespaces=15000`")
            }
        }
        guard let unshare = find("unshare") else {
            throw ClawrunError.unsupported(
                "local machines need util-linux's unshare, which is not installed: `apt-get install -y util-linux`")
        }
        let initProgram = RunningProgram.directory.appendingPathComponent("clawrun-init").path
        guard access(initProgram, X_OK) == 0 else {
            throw ClawrunError.unsupported(
                "local machines need clawrun-init next to clawrun, and \(initProgram) is missing: install it from "
                    + "the same build folder as clawrun (`swift build -c release` makes both)")
        }
        return HostTools(unshare: unshare, initProgram: initProgram, userNamespace: needsUserNamespace,
                         machineRoot: machineRoot,
                         idMap: needsUserNamespace ? "0 0 1" : "0 \(machineRoot) \(machineIDCount)")
        #endif
    }

    /// Whether machines need an outer user namespace, because clawrun does not run as root.
    static var needsUserNamespace: Bool { geteuid() != 0 }

    /// The first of the host ids that a root clawrun gives machines: far above the ids that hosts
    /// hand to users and to /etc/subuid ranges, so that no host file belongs to a machine.
    static let machineIDBase: uid_t = 2_000_000_000
    /// How many ids machines have under a root clawrun (0 to 65535 inside, nobody included).
    static let machineIDCount: uid_t = 65536

    /// The host uid that is root inside machines.
    static var machineRoot: uid_t { needsUserNamespace ? geteuid() : machineIDBase }

    /// The host's total memory in MiB, the largest memory_mib a local machine may ask for.
    static var totalMemoryMiB: Int {
        guard let text = ProcFiles.read("/proc/meminfo") else { return Int.max }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kib = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kib / 1024
        }
        return Int.max
    }

    /// The path of an executable in the usual system directories or PATH.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] + path.split(separator: ":").map(String.init)
        return dirs.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }

    /// The environment every process in a machine starts from; a request's env goes on top.
    static let baseEnvironment: [String: String] = [
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/home/machine",
    ]
}
