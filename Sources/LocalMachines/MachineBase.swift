#if canImport(Glibc)
import Glibc
#endif
import ClawrunCore
import Foundation

/// The lower layer of every machine's root: a small tree made once per CLAWRUN_HOME and owner,
/// holding the machine's own /etc (an allowlist of the host's OS files plus passwd, group, hosts
/// and resolv.conf of its own), the top-level links into /usr and empty /root, /var, /home,
/// /tmp ... The host's /usr is bound over its `usr` at boot; nothing else of the host is in it.
/// It is shared read-only by all machines, so a boot makes no file of it.
final class MachineBase: Sendable {
    /// What the base's files are made from; a new version makes a new folder.
    static let version = 1
    /// Host files a machine's /etc copies: what programs need to link, resolve names, verify TLS
    /// and start a shell. Only files every host user could read are copied (no keys, no shadow).
    static let etcAllowlist = [
        "alternatives", "bash.bashrc", "ca-certificates", "ca-certificates.conf", "debian_version", "environment",
        "ethertypes", "gai.conf", "host.conf", "inputrc", "issue", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
        "locale.alias", "localtime", "login.defs", "magic", "magic.mime", "mime.types", "networks", "nsswitch.conf",
        "os-release", "perl", "profile", "profile.d", "protocols", "python3", "python3.11", "services", "shells", "skel",
        "ssl", "timezone",
    ]

    private let home: URL
    private let made = Locked<String?>(nil)

    /// The base of machines under `home`; what a killed process left half-made there goes now,
    /// so that deleting its machines leaves nothing of it behind.
    init(home: URL) {
        self.home = home
        MachineStore.removeAbandoned(in: home.appendingPathComponent("machine-base").path)
    }

    /// The base's path for machines whose root is host uid `owner`, made on first use.
    func path(owner: uid_t) throws -> String {
        if let path = made.withLock({ $0 }) { return path }
        let path = try prepare(owner: owner)
        made.withLock { $0 = path }
        return path
    }

    private func prepare(owner: uid_t) throws -> String {
        let fm = FileManager.default
        let parent = home.appendingPathComponent("machine-base", isDirectory: true)
        let final = parent.appendingPathComponent("v\(MachineBase.version)-\(owner)").path
        if fm.fileExists(atPath: final) { return final }
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            // Made aside and renamed, so that a process that finds the base finds it whole.
            let scratch = parent.path + "/" + MachineStore.stagingPrefix + "\(getpid())-\(UUID().uuidString.prefix(8))"
            defer { try? MachineStore.removeTree(scratch) }
            try build(scratch, owner: owner)
            if rename(scratch, final) != 0 && !fm.fileExists(atPath: final) {
                throw ClawrunError.failed("cannot rename \(scratch): \(String(cString: strerror(errno)))")
            }
            return final
        } catch let error as ClawrunError {
            throw error
        } catch {
            throw ClawrunError.failed("cannot make the machine base under \(parent.path): \(error)")
        }
    }

    private func build(_ root: String, owner: uid_t) throws {
        let fm = FileManager.default
        let dirs: [(String, Int)] = [
            ("", 0o755), ("usr", 0o755), ("etc", 0o755), ("root", 0o700), ("home", 0o755), ("home/machine", 0o755),
            ("tmp", 0o1777), ("run", 0o755), ("proc", 0o555), ("sys", 0o555), ("dev", 0o755), ("opt", 0o755),
            ("srv", 0o755), ("mnt", 0o755), ("media", 0o755), ("var", 0o755), ("var/tmp", 0o1777), ("var/log", 0o755),
            ("var/cache", 0o755), ("var/lib", 0o755), ("var/spool", 0o755), ("var/local", 0o755), ("var/opt", 0o755),
            ("var/mail", 0o755), ("var/backups", 0o755),
        ]
        for (dir, mode) in dirs {
            try fm.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: false)
            chmod(root + "/" + dir, mode_t(mode))
        }
        try fm.createSymbolicLink(atPath: root + "/var/run", withDestinationPath: "../run")
        try fm.createSymbolicLink(atPath: root + "/var/lock", withDestinationPath: "../run/lock")
        // The top-level links of a merged-/usr host are kept as links; real directories become
        // mount points the init binds read-only.
        for name in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            var st = stat()
            guard lstat("/" + name, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFLNK {
                try fm.createSymbolicLink(atPath: root + "/" + name,
                                          withDestinationPath: try fm.destinationOfSymbolicLink(atPath: "/" + name))
            } else if st.st_mode & S_IFMT == S_IFDIR {
                try fm.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: false)
            }
        }
        for name in MachineBase.etcAllowlist { try copyReadable("/etc/" + name, to: root + "/etc/" + name) }
        let files = [
            "passwd": """
                root:x:0:0:root:/root:/bin/bash
                daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
                bin:x:2:2:bin:/bin:/usr/sbin/nologin
                sys:x:3:3:sys:/dev:/usr/sbin/nologin
                nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

                """,
            "group": """
                root:x:0:
                daemon:x:1:
                bin:x:2:
                sys:x:3:
                adm:x:4:
                tty:x:5:
                disk:x:6:
                staff:x:50:
                users:x:100:
                nogroup:x:65534:

                """,
            "hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
            // A machine without `network = "nat"` has loopback only; with it, the init writes slirp4netns's resolver.
            "resolv.conf": "",
            "fstab": "",
        ]
        for (name, text) in files { try text.write(toFile: root + "/etc/" + name, atomically: false, encoding: .utf8) }
        try fm.createSymbolicLink(atPath: root + "/etc/mtab", withDestinationPath: "../proc/self/mounts")
        if geteuid() == 0 { try chownTree(root, to: owner) }
    }

    /// Copies a host file, link or folder tree, leaving out whatever other users could not read.
    private func copyReadable(_ source: String, to target: String) throws {
        var st = stat()
        guard lstat(source, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFLNK:
            try FileManager.default.createSymbolicLink(
                atPath: target, withDestinationPath: try FileManager.default.destinationOfSymbolicLink(atPath: source))
        case S_IFDIR:
            guard st.st_mode & 0o005 == 0o005 else { return }
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            chmod(target, st.st_mode & 0o7777)
            for name in try FileManager.default.contentsOfDirectory(atPath: source) {
                try copyReadable(source + "/" + name, to: target + "/" + name)
            }
        case S_IFREG:
            guard st.st_mode & 0o004 != 0 else { return }
            try FileManager.default.copyItem(atPath: source, toPath: target)
            chmod(target, st.st_mode & 0o777)
        default:
            return
        }
    }

    /// Gives the tree to the machine's root, so that root inside may change what it holds.
    private func chownTree(_ path: String, to owner: uid_t) throws {
        guard lchown(path, owner, owner) == 0 else {
            throw ClawrunError.failed("cannot give \(path) to uid \(owner): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { return }
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            try chownTree(path + "/" + name, to: owner)
        }
    }
}
