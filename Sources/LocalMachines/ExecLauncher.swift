#if canImport(Glibc)
import Glibc
#endif
import CProcess
import ClawrunCore
import Foundation

/// A command started inside a machine: the host pid (also its process group) and the read ends
/// of its output pipes.
struct LaunchedCommand {
    var pid: Int32
    var stdout: Int32
    var stderr: Int32
}

/// Starts an execution's command inside a machine: the caller's own child, entered into all of the
/// init's namespaces and its root by `clawrun_machine_spawn`, with no program in between (an
/// nsenter and its dynamic loading used to cost as much as the command's own start).
enum ExecLauncher {
    /// The cwd of executions that give none, the machine's home.
    static let defaultDirectory = "/home/machine"

    /// Spawns `request` in the machine whose init is `target`; nil when that init is gone. Env
    /// values travel only in the spawned process's environment, never in argv (visible to `ps`) or logs.
    static func launch(_ request: ExecRequest, target: ProcessIdentity, userNamespace: Bool, cgroup: URL?) throws
        -> LaunchedCommand?
    {
        let stdin = try stdinDescriptor(request.stdin)
        defer { close(stdin) }
        // Joining the machine's cgroup before its program runs puts executions under its memory limit.
        let procs = try cgroup.map { dir -> Int32 in
            let path = dir.appendingPathComponent("cgroup.procs").path
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ClawrunError.failed("cannot open \(path): \(String(cString: strerror(errno)))") }
            return fd
        } ?? -1
        defer { if procs >= 0 { close(procs) } }
        let out = try pipe()
        let err: [Int32]
        do { err = try pipe() } catch {
            out.forEach { close($0) }
            throw error
        }
        defer { close(out[1]); close(err[1]) }

        let env = HostSupport.baseEnvironment.merging(request.env) { _, given in given }.map { "\($0.key)=\($0.value)" }
        let cArgv = request.command.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        // A relative cwd is taken from the machine's home, where commands start when given none.
        let cwd = request.cwd.map { $0.isEmpty || $0.hasPrefix("/") ? $0 : defaultDirectory + "/" + $0 } ?? defaultDirectory
        var pid: pid_t = 0
        let rc = clawrun_machine_spawn(target.pid, target.startTime, userNamespace ? 1 : 0, procs, cArgv, cEnv, cwd,
                                       stdin, out[1], err[1], &pid)
        guard rc == 0 else {
            close(out[0])
            close(err[0])
            if rc == ESRCH { return nil }
            throw ClawrunError.failed("cannot start \(request.command[0]) in the machine: \(String(cString: strerror(rc)))")
        }
        return LaunchedCommand(pid: pid, stdout: out[0], stderr: err[0])
    }

    private static func pipe() throws -> [Int32] {
        var fds: [Int32] = [-1, -1]
        let rc = clawrun_pipe(&fds)
        guard rc == 0 else { throw ClawrunError.failed("cannot make a pipe: \(String(cString: strerror(rc)))") }
        return fds
    }

    /// stdin as an in-memory file: a command that never reads it cannot block the provider.
    private static func stdinDescriptor(_ text: String?) throws -> Int32 {
        guard let text, !text.isEmpty else {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ClawrunError.failed("cannot open /dev/null: \(String(cString: strerror(errno)))") }
            return fd
        }
        let fd = clawrun_memfd("clawrun-stdin")
        guard fd >= 0 else { throw ClawrunError.failed("cannot make stdin: \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                throw ClawrunError.failed("cannot write stdin: \(String(cString: strerror(errno)))")
            }
            done += n
        }
        lseek(fd, 0, SEEK_SET)
        return fd
    }
}
