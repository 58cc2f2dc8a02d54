#if canImport(Glibc)
import Glibc
#endif
import CProcess
import ClawrunCore

/// posix_spawn of a host program in a new session (its pid is its process group), for the sandbox
/// launcher and the NAT helper.
enum Spawner {
    /// Spawns `path` and returns its pid.
    static func spawn(path: String, argv: [String], env: [String], stdin: Int32, stdout: Int32, stderr: Int32)
        throws -> Int32
    {
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = clawrun_spawn(path, cArgv, cEnv, stdin, stdout, stderr, "/", &pid)
        guard rc == 0 else {
            throw ClawrunError.failed("cannot start \(path): \(String(cString: strerror(rc)))")
        }
        return pid
    }
}
