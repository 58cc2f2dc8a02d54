#if canImport(Glibc)
import Glibc
#endif

/// Notices edits to `openclaw.json` by polling its metadata (inode, size, mtime, and the
/// nanoseconds of ctime, which move even when a tool puts the old mtime back) and, when that
/// moves, its bytes.
///
/// Polling costs one `stat` per tick and, unlike inotify, keeps working when the file is
/// replaced by `rename` (how every OpenClaw write lands) or when inotify watches run out
/// (a known cause of silently dead hot reload in the field).
public final class ConfigWatcher {
    public let path: String
    private var signature: [Int] = []
    private var bytes: [UInt8]?

    /// Starts watching with the file's current content as the baseline.
    public init(path: String) {
        self.path = path
        rebase()
    }

    /// Takes the file as it is now as the known state (after the gateway's own writes).
    public func rebase() {
        signature = currentSignature()
        bytes = FileSystem.read(path)
    }

    private func currentSignature() -> [Int] {
        guard let st = FileSystem.status(path) else { return [] }
        return [Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec), Int(st.st_ctim.tv_nsec)]
    }

    /// What changed since the last call.
    public enum Change {
        case none
        case removed
        case edited([UInt8])
    }

    /// Polls once.
    public func poll() -> Change {
        let now = currentSignature()
        guard now != signature else { return .none }
        signature = now
        guard !now.isEmpty, let content = FileSystem.read(path) else {
            if bytes == nil { return .none }
            bytes = nil
            return .removed
        }
        guard content != bytes else { return .none }
        bytes = content
        return .edited(content)
    }
}
