#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A process named by pid and kernel start time, so that a reused pid is never mistaken for the
/// machine's init (and never signalled).
struct ProcessIdentity: Equatable, Sendable {
    var pid: Int32
    /// Field 22 of /proc/<pid>/stat, in clock ticks since boot.
    var startTime: UInt64

    /// The identity of a live process, or nil when there is none with that pid.
    static func of(pid: Int32) -> ProcessIdentity? {
        guard let stat = ProcStat(pid: pid), !stat.isDead else { return nil }
        return ProcessIdentity(pid: pid, startTime: stat.startTime)
    }

    /// Parses "pid starttime", the form the sandbox init writes about itself.
    init?(text: String) {
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count >= 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]) else { return nil }
        self.init(pid: pid, startTime: start)
    }

    init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// Whether this very process still runs (zombies count as gone).
    var isAlive: Bool {
        guard let stat = ProcStat(pid: pid) else { return false }
        return !stat.isDead && stat.startTime == startTime
    }

    /// Sends `signal` if the process is still this one.
    func send(_ signal: Int32) {
        if isAlive { _ = kill(pid, signal) }
    }

    /// Whether this is a machine's init that has finished making the machine: clawrun-init names
    /// itself "init" then, and no other process can rename it.
    var isReadyInit: Bool {
        ProcFiles.bytes("/proc/\(pid)/comm") == Array("init\n".utf8)
    }
}

/// The fields of /proc/<pid>/stat that liveness needs.
struct ProcStat {
    var state: Character
    var parent: Int32
    var startTime: UInt64

    init?(pid: Int32) {
        // Parsed as bytes: this runs for every status read and every execution.
        guard let bytes = ProcFiles.bytes("/proc/\(pid)/stat"),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // The command name may hold spaces and parentheses, so fields are counted after the last ')'.
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), maxSplits: 21)
        guard fields.count > 19, let state = fields[0].first, let parent = ProcStat.number(fields[1]),
              let start = ProcStat.number(fields[19]) else { return nil }
        self.state = Character(UnicodeScalar(state))
        self.parent = Int32(truncatingIfNeeded: parent)
        self.startTime = start
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            value = value &* 10 &+ UInt64(d - UInt8(ascii: "0"))
        }
        return value
    }

    var isDead: Bool { state == "Z" || state == "X" }
}

/// Reads small kernel files, which report size 0 and so need a read loop.
enum ProcFiles {
    /// The file as text, or nil when it cannot be opened.
    static func read(_ path: String) -> String? {
        bytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The file's bytes, or nil when it cannot be opened.
    static func bytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readAll(fd)
    }

    /// Everything left to read from `fd`, or nil on a read error.
    static func readAll(_ fd: Int32) -> [UInt8]? {
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return data }
            data += buf[0..<n]
        }
    }
}
