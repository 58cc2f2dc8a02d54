import ClawrunCore
import Foundation

/// Where clawrun finds its state, its bundled workflows and plugins, and the tools it puts in
/// local machines.
struct ClawrunPaths {
    /// CLAWRUN_HOME, default ~/.clawrun.
    static func home(_ env: [String: String]) -> URL {
        if let h = env["CLAWRUN_HOME"], !h.isEmpty { return URL(fileURLWithPath: h, isDirectory: true) }
        let base = env["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return base.appendingPathComponent(".clawrun", isDirectory: true)
    }

    /// The directory of the running executable (where `openclaw-sim` is built beside it).
    static var executableDirectory: URL { RunningProgram.directory }

    /// The folder that holds the bundled `workflows/` and `plugins/`: CLAWRUN_SHARE, else the first
    /// ancestor of the executable that has both (a source checkout), else /usr/local/share/clawrun.
    static func share(_ env: [String: String]) -> URL {
        if let s = env["CLAWRUN_SHARE"], !s.isEmpty { return URL(fileURLWithPath: s, isDirectory: true) }
        var dir = executableDirectory
        for _ in 0..<8 {
            let fm = FileManager.default
            if fm.fileExists(atPath: dir.appendingPathComponent("workflows").path),
               fm.fileExists(atPath: dir.appendingPathComponent("plugins").path) {
                return dir
            }
            dir.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: "/usr/local/share/clawrun", isDirectory: true)
    }

    /// A workflow argument as a file: a path, or the name of a bundled workflow.
    static func workflow(_ argument: String, env: [String: String]) throws -> URL {
        let fm = FileManager.default
        if argument.hasSuffix(".lua") || argument.contains("/") {
            guard fm.fileExists(atPath: argument) else {
                throw ClawrunError.usage("no workflow file '\(argument)': give the path of a .lua file or a bundled workflow name")
            }
            return URL(fileURLWithPath: argument)
        }
        let bundled = share(env).appendingPathComponent("workflows/\(argument).lua")
        guard fm.fileExists(atPath: bundled.path) else {
            let names = (try? fm.contentsOfDirectory(atPath: share(env).appendingPathComponent("workflows").path))?
                .filter { $0.hasSuffix(".lua") }.map { String($0.dropLast(4)) }.sorted().joined(separator: ", ") ?? ""
            throw ClawrunError.usage("no workflow '\(argument)': give a .lua file or one of the bundled workflows (\(names))")
        }
        return bundled
    }
}

extension ClawrunPaths {
    /// The folders `require` searches before the workflow's own `plugins/`: each `--plugins DIR`
    /// in order, then CLAWRUN_PATH's colon-separated folders; a flag naming no folder is an error.
    static func userPlugins(_ flags: [String], env: [String: String]) throws -> [URL] {
        for dir in flags {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw ClawrunError.usage("--plugins '\(dir)' is not a folder: give a folder that holds NAME.lua plugins")
            }
        }
        let fromEnv = (env["CLAWRUN_PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        return (flags + fromEnv).map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
    }

    /// The folders `require` searches after the workflow's own `plugins/`: CLAWRUN_HOME/plugins,
    /// then the bundled plugins.
    static func sharedPlugins(env: [String: String]) -> [URL] {
        [home(env).appendingPathComponent("plugins", isDirectory: true),
         share(env).appendingPathComponent("plugins", isDirectory: true)]
    }
}
