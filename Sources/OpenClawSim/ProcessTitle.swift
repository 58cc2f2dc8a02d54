#if canImport(Glibc)
import Glibc
#endif

/// Gives `openclaw gateway …` processes the title the real ones have.
///
/// `src/entry.ts` sets `process.title = "openclaw"`; the commander pre-action hook
/// (`src/cli/program/preaction.ts` `setProcessTitleForCommand`) then sets
/// `openclaw-<top-level command>` for every command, so every `openclaw gateway <sub>` —
/// `gateway run` and `gateway call health` alike — is titled `openclaw-gateway`, and
/// `pgrep -f ^openclaw-gateway` matches a concurrent `gateway call` too. Node's title
/// overwrites argv, so `/proc/<pid>/cmdline` reads the title. A Swift binary cannot rewrite its
/// argv memory portably, so a gateway command re-executes itself once, in place (same PID),
/// with `argv[0]` set to the title; an environment marker stops it from doing so twice.
/// Other commands keep their argv (nothing looks for their titles).
public enum ProcessTitle {
    static let title = "openclaw-gateway"
    static let marker = "OPENCLAW_SIM_PROCESS_TITLE"

    /// The title the real CLI ends with for `args` (argv without argv[0]): `openclaw-<command>`
    /// once the pre-action hook ran for a command, `openclaw` for bare root options.
    public static func title(forArguments args: [String]) -> String {
        guard let command = args.first(where: { !$0.hasPrefix("-") }) else { return "openclaw" }
        return "openclaw-" + command
    }

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
