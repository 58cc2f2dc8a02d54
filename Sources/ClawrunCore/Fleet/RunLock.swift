import Foundation

/// `--lock PATH`: an exclusive `flock` on a file, held until the process exits, so that cron
/// never starts a second run over a fleet while one is still going. The kernel releases it when
/// the process dies however it dies, so a killed run leaves no stale lock behind.
public final class RunLock: Sendable {
    private let fd: Int32
    /// The lock file.
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Takes the lock without waiting; nil when another process holds it. A file that cannot be
    /// opened (missing folder, no permission) is a usage error.
    public static func acquire(path: String) throws -> RunLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ClawrunError.usage("--lock \(path): cannot open it: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw ClawrunError.usage("--lock \(path): cannot lock it: \(String(cString: strerror(code)))")
        }
        // The holder's pid in the file helps whoever finds the lock held; the lock itself is the flock.
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        return RunLock(fd: fd, path: path)
    }
}
