#if canImport(Glibc)
import Glibc
#endif

/// Line output to stdout and stderr with plain `write(2)`, so that lines from a gateway whose
/// output is redirected to `gateway.log` land at once and in order, without stdio buffering.
public enum Console {
    /// Writes `line` plus a newline to stdout.
    public static func out(_ line: String) { emit(1, line + "\n") }

    /// Writes `line` plus a newline to stderr.
    public static func err(_ line: String) { emit(2, line + "\n") }

    /// Writes `text` as is to the given descriptor.
    public static func emit(_ fd: Int32, _ text: String) {
        FileSystem.writeAll(fd, Array(text.utf8))
    }
}

/// A command's outcome: the process exit status. Commands return it instead of calling
/// `exit` so that the dispatcher stays the one place that ends the process.
public typealias ExitCode = Int32

/// sysexits `EX_CONFIG`, which the gateway uses for configuration-class refusals.
public let exitConfigError: ExitCode = 78
