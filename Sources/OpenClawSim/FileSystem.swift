#if canImport(Glibc)
import Glibc
#endif

/// Thin POSIX file helpers.
///
/// The simulator avoids Foundation's FileManager so that a static build stays small and the
/// gateway's idle memory stays low; these are the few calls it needs.
public enum FileSystem {
    /// The whole file, or nil when it cannot be opened.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return result
    }

    /// Writes all of `bytes` to `fd`, retrying short writes.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// `stat` of `path` (following symlinks), nil when absent.
    public static func status(_ path: String) -> stat? {
        var st = stat()
        return stat(path, &st) == 0 ? st : nil
    }

    /// Whether `path` exists (following symlinks).
    public static func exists(_ path: String) -> Bool { status(path) != nil }

    /// The directory part of `path` (`/a/b/c.json` → `/a/b`).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Creates `path` and missing parents; new directories get `mode`, existing ones are left alone.
    public static func makeDirectories(_ path: String, mode: mode_t) -> Bool {
        if let st = status(path) { return (st.st_mode & S_IFMT) == S_IFDIR }
        let parent = directory(of: path)
        if parent != path && parent != "." && !makeDirectories(parent, mode: mode) { return false }
        return mkdir(path, mode) == 0 || errno == EEXIST
    }

    /// The target of a symlink chain, or `path` itself when it is not a symlink.
    public static func resolvingSymlink(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Writes `bytes` to `path` atomically: a temp file beside it, fsync, `rename`.
    public static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t) throws {
        var random = SystemRandomNumberGenerator()
        let tmp = "\(path).\(getpid()).\(String(random.next() as UInt32, radix: 16)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError(operation: "open", path: tmp, code: errno) }
        let ok = writeAll(fd, bytes)
        let code = errno
        fsync(fd)
        fchmod(fd, mode)
        close(fd)
        guard ok else {
            unlink(tmp)
            throw SystemError(operation: "write", path: tmp, code: code)
        }
        guard rename(tmp, path) == 0 else {
            let code = errno
            unlink(tmp)
            throw SystemError(operation: "rename", path: path, code: code)
        }
    }
}

/// A failed system call, described the way Node prints fs errors (`EACCES: permission denied, open '…'`).
public struct SystemError: Error, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32

    public var description: String {
        let message = String(cString: strerror(code)).lowercased()
        return "\(SystemError.name(of: code)): \(message), \(operation) '\(path)'"
    }

    /// The symbolic errno name Node shows for the common codes.
    static func name(of code: Int32) -> String {
        switch code {
        case EACCES: return "EACCES"
        case ENOENT: return "ENOENT"
        case EEXIST: return "EEXIST"
        case ENOSPC: return "ENOSPC"
        case EPERM: return "EPERM"
        case EROFS: return "EROFS"
        case EADDRINUSE: return "EADDRINUSE"
        default: return "E\(code)"
        }
    }
}
