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

/// Starts an execution's command inside a machine with nsenter: all of the init's namespaces, its
/// root and its cwd (/home/machine, the default); another cwd goes through `env -C`, because
/// nsenter would resolve a directory given to it on the host.
enum ExecLauncher {
    /// Spawns `request` in the machine whose init is `target`. Env values travel only in the
    /// spawned process's environment, never in argv (visible to `ps`) or logs.
    static func launch(_ request: ExecRequest, tools: HostTools, target: ProcessIdentity, cgroup: URL?) throws -> LaunchedCommand {
        guard !request.command.isEmpty else {
            throw ClawrunError.invalidArgument("command must not be empty: give an argv like [\"/bin/bash\", \"-c\", \"...\"]")
        }
        let stdin = try stdinDescriptor(request.stdin)
        defer { close(stdin) }
        let out = try pipe()
        let err: [Int32]
        do { err = try pipe() } catch {
            out.forEach { close($0) }
            throw error
        }
        defer { close(out[1]); close(err[1]) }

        var argv = [tools.nsenter, "--target", String(target.pid), "--mount", "--uts", "--ipc", "--net", "--pid"]
        if tools.userNamespace { argv += ["--user", "--preserve-credentials"] }
        argv += ["--root", "--wd", "--"]
        if let cwd = request.cwd, cwd != "/home/machine" { argv += ["/usr/bin/env", "-C", cwd, "--"] }
        argv += request.command
        var path = tools.nsenter
        if let cgroup {
            // Joins the machine's cgroup before entering, so that the memory limit covers executions.
            argv = ["/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroup.appendingPathComponent("cgroup.procs").path]
                + argv
            path = "/bin/sh"
        }
        let env = HostSupport.baseEnvironment.merging(request.env) { _, given in given }.map { "\($0.key)=\($0.value)" }
        do {
            let pid = try Spawner.spawn(path: path, argv: argv, env: env, stdin: stdin, stdout: out[1], stderr: err[1])
            return LaunchedCommand(pid: pid, stdout: out[0], stderr: err[0])
        } catch {
            close(out[0])
            close(err[0])
            throw error
        }
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
