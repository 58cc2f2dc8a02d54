import ClawrunCore
import Foundation
import LuaRuntime

/// A folder of files only their owner reads, addressed by plain names.
struct PrivateFolder {
    let path: String

    /// The largest file `read` loads into memory.
    static let maxRead = 512 << 20

    init(_ path: String) { self.path = path }

    /// Creates the folder (and missing parents) and sets it to mode 700; returns its absolute path.
    static func make(_ path: String) throws -> String {
        guard !path.isEmpty else { throw HostError("files.mkdir: the folder path is empty") }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var st = stat()
        if lstat(url.path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw HostError("files.mkdir: \(url.path) exists and is not a folder (a symbolic link or a file): choose another path")
            }
        } else {
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw HostError("files.mkdir: cannot create \(url.path): \(error.localizedDescription)")
            }
        }
        guard chmod(url.path, 0o700) == 0 else { throw HostError("files.mkdir: cannot set \(url.path) to mode 700: \(errnoText())") }
        return url.path
    }

    /// Writes `name` with mode 600, replacing any file (never following a link of that name).
    func write(_ name: String, _ data: Data) throws {
        try Self.check(name)
        let dfd = try openFolder()
        defer { close(dfd) }
        let temp = ".\(name).\(UUID().uuidString.prefix(8)).tmp"
        let fd = openat(dfd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HostError("files.write: cannot create a file in \(path): \(errnoText())") }
        var ok = fchmod(fd, 0o600) == 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while ok && offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { ok = false } else { offset += n }
            }
        }
        let why = errnoText()
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, renameat(dfd, temp, dfd, name) == 0 else {
            let reason = ok ? errnoText() : why
            unlinkat(dfd, temp, 0)
            throw HostError("files.write: cannot write \(path)/\(name): \(reason)")
        }
    }

    /// The content of `name`, or nil when there is none; a link or a non-file is refused.
    func read(_ name: String) throws -> Data? {
        try Self.check(name)
        let dfd = try openFolder()
        defer { close(dfd) }
        let fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 && errno == ENOENT { return nil }
        guard fd >= 0 else {
            throw HostError("files.read: cannot open \(path)/\(name): \(errno == ELOOP ? "it is a symbolic link" : errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw HostError("files.read: \(path)/\(name) is not a regular file")
        }
        guard Int(st.st_size) <= Self.maxRead else {
            throw HostError("files.read: \(path)/\(name) is \(st.st_size) bytes, more than the \(Self.maxRead) read at most")
        }
        var data = Data(count: Int(st.st_size))
        var offset = 0
        let ok = data.withUnsafeMutableBytes { raw -> Bool in
            while offset < raw.count {
                let n = Glibc.read(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return false }
                if n == 0 { break }
                offset += n
            }
            return true
        }
        guard ok else { throw HostError("files.read: cannot read \(path)/\(name): \(errnoText())") }
        return data.prefix(offset)
    }

    private func openFolder() throws -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw HostError("files: cannot open the folder \(path) (\(errno == ELOOP || errno == ENOTDIR ? "not a folder, or a symbolic link" : errnoText())): make it with files.mkdir")
        }
        return fd
    }

    /// A plain file name: no folder part, not `.` or `..`, printable.
    static func check(_ name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
        guard !name.isEmpty, name.count <= 200, name != ".", name != "..", allowed, name.isASCII else {
            throw HostError("files: '\(TerminalText.escape(name))' is not a plain file name (letters, digits, '.', '_' and '-'; no folders)")
        }
    }
}

private func errnoText() -> String { String(cString: strerror(errno)) }

private extension String {
    var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }
}
