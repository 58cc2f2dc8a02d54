#if canImport(Glibc)
import Glibc
#endif
import ClawrunCore
import Foundation

/// Small files that several clawrun processes read and rewrite (a machine's state, its init's
/// identity): read under a shared flock and rewritten in place under an exclusive one, so that
/// no reader sees half a file and read-modify-write is serialised per file across processes.
///
/// Rewriting in place rather than through a temporary file and a rename spares a new inode per
/// write: on ext4 without a journal each new inode scans past the recently deleted ones, and a
/// fleet's state churn made that the largest cost of waking machines. A rewrite first lays the
/// new text over the old padded with spaces, then truncates, so that even a process killed
/// between the two leaves valid JSON (trailing whitespace) behind.
enum StateFile {
    /// The file's bytes, or nil when it does not exist or cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard lock(fd, LOCK_SH) else { return nil }
        return ProcFiles.readAll(fd)
    }

    /// Replaces the bytes of an existing file with what `body` makes of them; nil (and nothing
    /// written) when the file does not exist or `body` returns nil.
    static func update(_ path: String, _ body: ([UInt8]) throws -> [UInt8]?) throws -> [UInt8]? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw ClawrunError.failed("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard lock(fd, LOCK_EX) else {
            throw ClawrunError.failed("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        guard let old = ProcFiles.readAll(fd), let new = try body(old) else { return nil }
        let padded = new + [UInt8](repeating: 0x20, count: max(0, old.count - new.count))
        let written = padded.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == padded.count, ftruncate(fd, off_t(new.count)) == 0 else {
            throw ClawrunError.failed("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return new
    }

    /// Runs `body`, then removes the file, both under the exclusive lock, so that no rewrite by
    /// another process lands in between.
    static func remove(_ path: String, after body: () throws -> Void) throws {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw ClawrunError.failed("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard lock(fd, LOCK_EX) else {
            throw ClawrunError.failed("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        try body()
        try FileManager.default.removeItem(atPath: path)
    }

    /// Writes a new file whole: readers see either no file or all of it.
    static func create(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static func lock(_ fd: Int32, _ operation: Int32) -> Bool {
        while flock(fd, operation) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }
}
