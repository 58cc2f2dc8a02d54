#if canImport(Glibc)
import Glibc
#endif
import CProcess
import ClawrunCore
import Foundation

/// How a watched process ended.
struct ProcessEnd: Sendable {
    /// The exit code, when it exited.
    var exitCode: Int32?
    /// The signal, when one killed it.
    var signal: Int32?
    /// Whether the reactor killed it at its deadline.
    var timedOut: Bool
    /// Whether it was killed by `cancel`.
    var cancelled: Bool
}

/// Receives a watched process's output and its end, on the reactor thread.
protocol ProcessSink: AnyObject, Sendable {
    func received(_ bytes: UnsafeRawBufferPointer, stderr: Bool)
    func ended(_ end: ProcessEnd)
}

/// One thread that waits (epoll) on every watched child's pidfd and output pipes, kills process
/// groups at their deadlines, and reaps. A process is finished when it exits even if a background
/// child still holds its pipes: what is buffered is read, then the pipes are closed. Each wake-up
/// costs only what became ready, however many processes are watched.
///
/// Unchecked Sendable, because the state callers share with the thread is in `Locked` values
/// (`watched`, `stopping`), the descriptors are constants, and `buffer` is touched only by the
/// reactor thread.
final class ProcessReactor: @unchecked Sendable {
    private final class Entry {
        let pid: Int32
        let pidfd: Int32
        var stdout: Int32
        var stderr: Int32
        let deadline: Double?
        let sink: ProcessSink?
        var timedOut = false
        var cancelled = false

        init(pid: Int32, pidfd: Int32, stdout: Int32, stderr: Int32, deadline: Double?, sink: ProcessSink?) {
            self.pid = pid
            self.pidfd = pidfd
            self.stdout = stdout
            self.stderr = stderr
            self.deadline = deadline
            self.sink = sink
        }
    }

    /// What the reactor thread and its callers share.
    private struct Watched {
        /// By key: a serial number that, unlike a pid, is never reused for another process.
        var entries: [UInt64: Entry] = [:]
        var keys: [Int32: UInt64] = [:]
        /// Keys of the entries with a deadline, so that finding the next one looks at those only.
        var timed: Set<UInt64> = []
        var nextKey: UInt64 = 1
    }

    /// An epoll token is the entry's key and which of its descriptors is ready; key 0 is the wake pipe.
    private enum Source: UInt64 {
        case pidfd = 0, stdout = 1, stderr = 2
    }

    private let watched = Locked(Watched())
    private let stopping = Locked(false)
    private let epoll: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Signalled by the thread as it ends; `shutdown` waits on it (and passes it on).
    private let finished = DispatchSemaphore(value: 0)
    /// Reads per descriptor and wake-up, so one chatty process cannot starve the others.
    private let readsPerTurn = 16
    private var buffer = [UInt8](repeating: 0, count: 65536)

    /// Starts the reactor thread; it holds the reactor until `shutdown`.
    init() throws {
        epoll = clawrun_epoll_create()
        guard epoll >= 0 else { throw ClawrunError.failed("cannot make an epoll: \(String(cString: strerror(errno)))") }
        var fds: [Int32] = [0, 0]
        var rc = clawrun_pipe(&fds)
        if rc == 0 { rc = clawrun_epoll_add(epoll, fds[0], 0) }
        guard rc == 0 else {
            close(epoll)
            throw ClawrunError.failed("cannot make the reactor's wake pipe: \(String(cString: strerror(rc)))")
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = clawrun_set_nonblocking(wakeRead)
        _ = clawrun_set_nonblocking(wakeWrite)
        let finished = self.finished
        let thread = Thread {
            self.loop()
            finished.signal()
        }
        thread.name = "clawrun-local-reactor"
        thread.start()
    }

    /// Watches a child: its output goes to `sink` until it exits; at `deadline` (monotonic
    /// seconds) its whole process group is killed. Without a sink the child is only reaped.
    func watch(pid: Int32, stdout: Int32 = -1, stderr: Int32 = -1, deadline: Double? = nil,
               sink: ProcessSink? = nil) throws
    {
        let pidfd = clawrun_pidfd_open(pid)
        guard pidfd >= 0 else {
            throw ClawrunError.unsupported(
                "pidfd_open failed (\(String(cString: strerror(errno)))): local machines need Linux 5.3 or newer")
        }
        for fd in [stdout, stderr] where fd >= 0 { _ = clawrun_set_nonblocking(fd) }
        let entry = Entry(pid: pid, pidfd: pidfd, stdout: stdout, stderr: stderr, deadline: deadline, sink: sink)
        let rc = watched.withLock { w -> Int32 in
            let key = w.nextKey
            w.nextKey += 1
            // Registered under the lock, so that the thread finds the entry of any event it gets.
            var rc: Int32 = 0
            for (fd, source) in [(pidfd, Source.pidfd), (stdout, .stdout), (stderr, .stderr)] where fd >= 0 && rc == 0 {
                rc = clawrun_epoll_add(epoll, fd, key << 2 | source.rawValue)
            }
            guard rc == 0 else { return rc }
            w.entries[key] = entry
            w.keys[pid] = key
            if deadline != nil { w.timed.insert(key) }
            return 0
        }
        guard rc == 0 else {
            // The caller still owns the pipes; none of the three may stay in the epoll.
            [pidfd, stdout, stderr].filter { $0 >= 0 }.forEach { _ = clawrun_epoll_del(epoll, $0) }
            close(pidfd)
            throw ClawrunError.failed("cannot watch process \(pid): \(String(cString: strerror(rc)))")
        }
        // epoll_wait sees new descriptors by itself; only a deadline may shorten its wait.
        if deadline != nil { wake() }
    }

    /// Kills a watched child's process group; false if it is not (or no longer) watched.
    @discardableResult
    func cancel(pid: Int32) -> Bool {
        watched.withLock { w in
            guard let key = w.keys[pid], let entry = w.entries[key] else { return false }
            entry.cancelled = true
            // Still unreaped (reaping happens under this lock), so the pid cannot have been reused.
            _ = kill(-pid, SIGKILL)
            return true
        }
    }

    /// Stops the thread: watched processes that already ended are reaped, the others keep running
    /// (the host's init reaps them once this process exits), and their pipes are closed.
    func shutdown() {
        stopping.withLock { $0 = true }
        wake()
        // Every caller waits for the end, then passes the signal on to the next one.
        finished.wait()
        finished.signal()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func loop() {
        var tokens = [UInt64](repeating: 0, count: 256)
        while !stopping.withLock({ $0 }) {
            let next = watched.withLock { w in
                w.timed.compactMap { w.entries[$0].flatMap { $0.timedOut ? nil : $0.deadline } }.min()
            }
            let timeout = next.map { Int32(max(0, min(60_000, ($0 - monotonicNow()) * 1000 + 1))) } ?? -1
            let n = clawrun_epoll_wait(epoll, &tokens, Int32(tokens.count), timeout)
            if n < 0 && errno != EINTR { usleep(10_000) }
            for token in tokens.prefix(max(0, Int(n))) {
                guard token != 0 else {
                    drainWakePipe()
                    continue
                }
                guard let entry = watched.withLock({ $0.entries[token >> 2] }) else { continue }
                switch Source(rawValue: token & 3) {
                case .stdout: entry.stdout = pump(entry.stdout, entry, stderr: false, reads: readsPerTurn)
                case .stderr: entry.stderr = pump(entry.stderr, entry, stderr: true, reads: readsPerTurn)
                case .pidfd: reapIfExited(entry, key: token >> 2)
                case nil: break
                }
            }
            if next != nil { killExpired() }
        }
        watched.withLock { w in
            for e in w.entries.values {
                var status: Int32 = 0
                _ = waitpid(e.pid, &status, WNOHANG)
                [e.pidfd, e.stdout, e.stderr].filter { $0 >= 0 }.forEach { close($0) }
            }
            w = Watched()
        }
        close(epoll)
        close(wakeRead)
        close(wakeWrite)
    }

    private func drainWakePipe() {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &sink, sink.count) > 0 {}
    }

    /// Takes a descriptor out of the epoll and closes it. Closing alone would not do: a command
    /// being spawned holds a copy of every descriptor until its exec, and meanwhile the epoll would
    /// keep reporting the ended pipe or pidfd, over and over.
    private func release(_ fd: Int32) {
        _ = clawrun_epoll_del(epoll, fd)
        close(fd)
    }

    /// Reads up to `reads` chunks; returns the descriptor, or -1 once it reached EOF and was released.
    private func pump(_ fd: Int32, _ entry: Entry, stderr: Bool, reads: Int) -> Int32 {
        guard fd >= 0 else { return fd }
        for _ in 0..<reads {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { entry.sink?.received(UnsafeRawBufferPointer(rebasing: $0[0..<n]), stderr: stderr) }
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return fd }
            release(fd)
            return -1
        }
        return fd
    }

    private func reapIfExited(_ entry: Entry, key: UInt64) {
        var status: Int32 = 0
        let reaped = watched.withLock { w -> Bool in
            guard waitpid(entry.pid, &status, WNOHANG) == entry.pid else { return false }
            w.entries[key] = nil
            w.keys[entry.pid] = nil
            w.timed.remove(key)
            return true
        }
        guard reaped else { return }
        // Whatever is already in the pipes belongs to the execution; a background child that keeps
        // writing is cut off here (4096 reads = 256 MiB at most).
        entry.stdout = pump(entry.stdout, entry, stderr: false, reads: 4096)
        entry.stderr = pump(entry.stderr, entry, stderr: true, reads: 4096)
        [entry.pidfd, entry.stdout, entry.stderr].filter { $0 >= 0 }.forEach(release)
        let signal = status & 0x7f
        let end = ProcessEnd(exitCode: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal,
                             timedOut: entry.timedOut, cancelled: entry.cancelled)
        entry.sink?.ended(end)
    }

    private func killExpired() {
        let now = monotonicNow()
        watched.withLock { w in
            for key in w.timed {
                guard let e = w.entries[key], !e.timedOut, !e.cancelled, let deadline = e.deadline, now >= deadline
                else { continue }
                e.timedOut = true
                _ = kill(-e.pid, SIGKILL)
            }
        }
    }
}
