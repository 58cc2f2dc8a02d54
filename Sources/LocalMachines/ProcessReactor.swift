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

/// One thread that polls every watched child's pidfd and output pipes, kills process groups at
/// their deadlines, and reaps. A process is finished when it exits even if a background child
/// still holds its pipes: what is buffered is read, then the pipes are closed.
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

    private let entries = Locked([Int32: Entry]())
    private let stopping = Locked(false)
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var thread: Thread?
    /// Reads per descriptor and wake-up, so one chatty process cannot starve the others.
    private let readsPerTurn = 16
    private var buffer = [UInt8](repeating: 0, count: 65536)

    /// Starts the reactor thread; it holds the reactor until `shutdown`.
    init() throws {
        var fds: [Int32] = [0, 0]
        let rc = clawrun_pipe(&fds)
        guard rc == 0 else { throw ClawrunError.failed("cannot make a pipe: \(String(cString: strerror(rc)))") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = clawrun_set_nonblocking(wakeRead)
        _ = clawrun_set_nonblocking(wakeWrite)
        let thread = Thread { self.loop() }
        thread.name = "clawrun-local-reactor"
        self.thread = thread
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
        entries.withLock {
            $0[pid] = Entry(pid: pid, pidfd: pidfd, stdout: stdout, stderr: stderr, deadline: deadline, sink: sink)
        }
        wake()
    }

    /// Kills a watched child's process group; false if it is not (or no longer) watched.
    @discardableResult
    func cancel(pid: Int32) -> Bool {
        entries.withLock { entries in
            guard let entry = entries[pid] else { return false }
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
        while thread?.isFinished == false { usleep(1000) }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func loop() {
        while !stopping.withLock({ $0 }) {
            let watched = entries.withLock { Array($0.values) }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            for e in watched {
                fds.append(pollfd(fd: e.pidfd, events: Int16(POLLIN), revents: 0))
                fds.append(pollfd(fd: e.stdout, events: Int16(POLLIN), revents: 0))
                fds.append(pollfd(fd: e.stderr, events: Int16(POLLIN), revents: 0))
            }
            let now = monotonicNow()
            let next = watched.compactMap { $0.timedOut ? nil : $0.deadline }.min()
            let timeout = next.map { Int32(max(0, min(60_000, ($0 - now) * 1000 + 1))) } ?? -1
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 && errno != EINTR { usleep(10_000) }
            if fds[0].revents != 0 { drainWakePipe() }
            for (i, e) in watched.enumerated() {
                let base = 1 + i * 3
                if fds[base + 1].revents != 0 { e.stdout = pump(e.stdout, e, stderr: false, reads: readsPerTurn) }
                if fds[base + 2].revents != 0 { e.stderr = pump(e.stderr, e, stderr: true, reads: readsPerTurn) }
                if fds[base].revents != 0 { reapIfExited(e) }
            }
            killExpired(watched)
        }
        entries.withLock { entries in
            for e in entries.values {
                var status: Int32 = 0
                _ = waitpid(e.pid, &status, WNOHANG)
                [e.pidfd, e.stdout, e.stderr].filter { $0 >= 0 }.forEach { close($0) }
            }
            entries.removeAll()
        }
        close(wakeRead)
        close(wakeWrite)
    }

    private func drainWakePipe() {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &sink, sink.count) > 0 {}
    }

    /// Reads up to `reads` chunks; returns the descriptor, or -1 once it reached EOF and was closed.
    private func pump(_ fd: Int32, _ entry: Entry, stderr: Bool, reads: Int) -> Int32 {
        guard fd >= 0 else { return fd }
        for _ in 0..<reads {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { entry.sink?.received(UnsafeRawBufferPointer(rebasing: $0[0..<n]), stderr: stderr) }
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return fd }
            close(fd)
            return -1
        }
        return fd
    }

    private func reapIfExited(_ entry: Entry) {
        var status: Int32 = 0
        let reaped = entries.withLock { entries -> Bool in
            guard waitpid(entry.pid, &status, WNOHANG) == entry.pid else { return false }
            entries[entry.pid] = nil
            return true
        }
        guard reaped else { return }
        // Whatever is already in the pipes belongs to the execution; a background child that keeps
        // writing is cut off here (4096 reads = 256 MiB at most).
        entry.stdout = pump(entry.stdout, entry, stderr: false, reads: 4096)
        entry.stderr = pump(entry.stderr, entry, stderr: true, reads: 4096)
        [entry.pidfd, entry.stdout, entry.stderr].filter { $0 >= 0 }.forEach { close($0) }
        let signal = status & 0x7f
        let end = ProcessEnd(exitCode: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal,
                             timedOut: entry.timedOut, cancelled: entry.cancelled)
        entry.sink?.ended(end)
    }

    private func killExpired(_ watched: [Entry]) {
        let now = monotonicNow()
        for e in watched where !e.timedOut && !e.cancelled {
            guard let deadline = e.deadline, now >= deadline else { continue }
            entries.withLock { entries in
                guard entries[e.pid] != nil else { return }
                e.timedOut = true
                _ = kill(-e.pid, SIGKILL)
            }
        }
    }
}
