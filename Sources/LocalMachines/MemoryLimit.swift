#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// memory_mib as a real limit, through a cgroup v2 child of clawrun's own cgroup when the memory
/// controller is delegated there. cgroup v1 hierarchies are left alone: they belong to whoever
/// manages the host, and a machine that outlives clawrun must not pin their layout.
enum MemoryLimit {
    /// Makes the machine's cgroup with its limit; nil when the host cannot enforce one.
    static func create(machineID: String, memoryMiB: Int) -> URL? {
        guard let dir = directory(machineID: machineID) else { return nil }
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        do {
            try "\(memoryMiB * 1_048_576)".write(to: dir.appendingPathComponent("memory.max"), atomically: false,
                                                 encoding: .utf8)
            return dir
        } catch {
            remove(machineID: machineID)
            return nil
        }
    }

    /// Whether a limit can be enforced on this host at all.
    static var isAvailable: Bool { delegatedParent != nil }

    /// The machine's cgroup directory, where the host can enforce limits.
    static func directory(machineID: String) -> URL? {
        delegatedParent?.appendingPathComponent("clawrun-\(machineID)")
    }

    /// Found once: every execution asks, and clawrun's own cgroup does not move.
    private static let delegatedParent = findDelegatedParent()

    /// Removes the machine's cgroup once its processes are gone.
    static func remove(machineID: String) {
        if let dir = directory(machineID: machineID) { rmdir(dir.path) }
    }

    /// clawrun's cgroup v2 directory, when it delegates the memory controller to children.
    private static func findDelegatedParent() -> URL? {
        guard let cgroups = ProcFiles.read("/proc/self/cgroup"),
              let line = cgroups.split(separator: "\n").first(where: { $0.hasPrefix("0::") }),
              let mounts = ProcFiles.read("/proc/self/mountinfo") else { return nil }
        let own = String(line.dropFirst(3))
        for mount in mounts.split(separator: "\n") {
            let halves = mount.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count > 4 else { continue }
            let dir = URL(fileURLWithPath: String(fields[4]) + own)
            let control = ProcFiles.read(dir.appendingPathComponent("cgroup.subtree_control").path) ?? ""
            if control.split(whereSeparator: \.isWhitespace).contains("memory") { return dir }
        }
        return nil
    }
}
