#if canImport(Glibc)
import Glibc
#endif

/// Gives a running gateway the process title the real one has.
///
/// Node's `process.title = "openclaw-gateway"` overwrites argv, so `/proc/<pid>/cmdline`
/// reads `openclaw-gateway` and `pgrep -f openclaw-gateway` finds the gateway but not
/// `openclaw gateway call …`. A Swift binary cannot rewrite its argv memory portably, so
/// `gateway run` re-executes itself once, in place (same PID), with `argv[0]` set to
/// `openclaw-gateway`; an environment marker stops it from doing so twice.
public enum ProcessTitle {
    static let title = "openclaw-gateway"
    static let marker = "OPENCLAW_SIM_PROCESS_TITLE"

    /// Re-executes the current binary as `openclaw-gateway <args>` unless already titled.
    /// Returns only when no re-exec happened (already titled, or exec failed).
    public static func ensure(arguments: [String]) {
        if getenv(marker) != nil {
            unsetenv(marker)
            setComm()
            return
        }
        let argv0 = arguments.first ?? ""
        if argv0 == title {
            setComm()
            return
        }
        guard let exe = realpath("/proc/self/exe", nil) else { return }
        defer { free(exe) }
        setenv(marker, "1", 1)
        var cArgs: [UnsafeMutablePointer<CChar>?] = ([title] + arguments.dropFirst()).map { strdup($0) }
        cArgs.append(nil)
        execv(exe, cArgs)
        // exec failed: keep running untitled rather than refusing to start.
        unsetenv(marker)
        for arg in cArgs { free(arg) }
    }

    /// `/proc/self/comm` = `openclaw-gatewa` (the kernel keeps 15 characters), as for the real gateway.
    static func setComm() {
        let fd = open("/proc/self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        FileSystem.writeAll(fd, Array(title.utf8))
        close(fd)
    }
}
