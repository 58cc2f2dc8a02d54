#if canImport(Glibc)
import Glibc
#endif

/// Finds which processes listen on a TCP port by reading `/proc/net/tcp*` and `/proc/*/fd`,
/// for the "port already in use" diagnostics and `gateway run --force`.
public enum PortInspector {
    /// A process holding a listening socket.
    public struct Listener: Equatable {
        public let pid: Int32
        public let user: String
        public let command: String
        public let address: String
    }

    /// Listeners on `port` (IPv4 and IPv6).
    public static func listeners(port: Int) -> [Listener] {
        var inodes: [String: String] = [:]
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let bytes = FileSystem.read(table) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[3] == "0A" else { continue }
                let local = fields[1].split(separator: ":")
                guard local.count == 2, Int(local[1], radix: 16) == port else { continue }
                inodes[String(fields[9])] = decodeAddress(String(local[0])) + ":\(port)"
            }
        }
        guard !inodes.isEmpty, let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [Listener] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard let pid = Int32(name) else { continue }
            guard let fds = opendir("/proc/\(pid)/fd") else { continue }
            var match: String?
            while let fdEntry = readdir(fds), match == nil {
                let fdName = withUnsafeBytes(of: fdEntry.pointee.d_name) {
                    String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
                }
                var buffer = [CChar](repeating: 0, count: 256)
                let n = readlink("/proc/\(pid)/fd/\(fdName)", &buffer, 255)
                guard n > 0 else { continue }
                let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if target.hasPrefix("socket:["), let address = inodes[String(target.dropFirst(8).dropLast())] {
                    match = address
                }
            }
            closedir(fds)
            if let match {
                found.append(Listener(pid: pid, user: owner(of: pid), command: commandLine(of: pid), address: match))
            }
        }
        return found
    }

    /// `/proc/<pid>/cmdline` with NULs as spaces (what `ps`/`pgrep -a` show).
    public static func commandLine(of pid: Int32) -> String {
        guard let bytes = FileSystem.read("/proc/\(pid)/cmdline") else { return "?" }
        let words = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return words.joined(separator: " ")
    }

    private static func owner(of pid: Int32) -> String {
        guard let st = FileSystem.status("/proc/\(pid)"), let pw = getpwuid(st.st_uid) else { return "?" }
        return String(cString: pw.pointee.pw_name)
    }

    /// `0100007F` → `127.0.0.1`; IPv6 tables are shown as `[::]`-style only for the common cases.
    private static func decodeAddress(_ hex: String) -> String {
        if hex.count == 8, let value = UInt32(hex, radix: 16) {
            return "\(value & 0xFF).\((value >> 8) & 0xFF).\((value >> 16) & 0xFF).\(value >> 24)"
        }
        if hex == String(repeating: "0", count: 32) { return "[::]" }
        if hex == "00000000000000000000000001000000" { return "[::1]" }
        return "[\(hex)]"
    }

    /// The lines printed after "Gateway failed to start" (`formatPortDiagnostics`).
    public static func diagnostics(port: Int) -> [String] {
        let found = listeners(port: port)
        guard !found.isEmpty else { return [] }
        var lines = ["Port \(port) is already in use."]
        for listener in found {
            lines.append("- pid \(listener.pid) \(listener.user): \(listener.command) (\(listener.address))")
        }
        if found.contains(where: { $0.command.contains("openclaw-gateway") }) {
            lines.append("- Gateway already running locally. Stop it (openclaw gateway stop) or use a different port.")
        }
        return lines
    }
}
