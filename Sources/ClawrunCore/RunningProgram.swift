import Foundation

/// Where the running program lives, for the files installed beside it.
public enum RunningProgram {
    /// The folder of the running executable, symlinks resolved. Taken from the executable itself
    /// (/proc/self/exe on Linux), not argv[0], which names no folder when found through PATH.
    public static let directory: URL = {
        let program = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return program.resolvingSymlinksInPath().deletingLastPathComponent()
    }()
}
