import Foundation

/// Where run records live: `CLAWRUN_HOME/runs/<timestamp>-<workflow>.jsonl`, one JSON event a
/// line, readable by the owner only (they name machines and may hold unredacted output).
public struct RunRecordStore: Sendable {
    /// `CLAWRUN_HOME/runs`.
    public let directory: URL
    /// Records kept per workflow; older ones are removed when a run starts, so cron cannot fill the disk.
    public var keep = 200

    /// Makes the store of a CLAWRUN_HOME.
    public init(home: URL) {
        directory = home.appendingPathComponent("runs", isDirectory: true)
    }

    /// The fixed-width UTC timestamp that starts a record's name (sorts in time order).
    static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return f.string(from: date)
    }

    static let timestampLength = 20

    /// The workflow name a record is filed under: the script's file name without `.lua`.
    public static func workflowName(_ script: URL) -> String {
        script.deletingPathExtension().lastPathComponent
    }

    /// Creates a new, empty record file (mode 600, in a mode 700 folder) and returns it open for writing.
    public func create(workflow: String, date: Date = Date()) throws -> (URL, FileHandle) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var stamp = date
        for _ in 0..<1000 {
            let url = directory.appendingPathComponent("\(RunRecordStore.timestamp(stamp))-\(workflow).jsonl")
            let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { return (url, FileHandle(fileDescriptor: fd, closeOnDealloc: true)) }
            guard errno == EEXIST else {
                throw ClawrunError.failed("cannot write the run record \(url.path): \(String(cString: strerror(errno)))")
            }
            // Two runs in the same millisecond: the later one takes the next free name.
            stamp = stamp.addingTimeInterval(0.001)
        }
        throw ClawrunError.failed("cannot find a free run record name in \(directory.path)")
    }

    /// The records of a workflow, oldest first.
    public func records(workflow: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let suffix = "-\(workflow).jsonl"
        return names.filter {
            $0.hasSuffix(suffix) && $0.count == RunRecordStore.timestampLength + suffix.count
        }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Removes all but the newest `keep` records of a workflow.
    public func prune(workflow: String) {
        let all = records(workflow: workflow)
        for url in all.dropLast(keep) { try? FileManager.default.removeItem(at: url) }
    }
}
