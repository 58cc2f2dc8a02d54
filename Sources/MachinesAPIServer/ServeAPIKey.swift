import ClawrunCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `clawrun serve` takes its API key from without putting it on the command line (where `ps`
/// shows it to every user): `--api-key-file PATH`, else `CLAWRUN_SERVE_API_KEY`.
public enum ServeAPIKey {
    /// The key, or nil when neither source gives one. A file must be a regular file of this user
    /// that no group or other user may read, write or run; its text, trimmed of surrounding white
    /// space, is the key. Errors never quote the file's content.
    public static func resolve(file: String?, environment: [String: String]) throws -> String? {
        if let file { return try read(file) }
        return environment["CLAWRUN_SERVE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func read(_ path: String) throws -> String {
        // Opened once and checked through the descriptor, so the file checked is the file read.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "is a symbolic link (give the file itself)" : String(cString: strerror(errno))
            throw ClawrunError.usage("--api-key-file \(path): \(reason)")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ClawrunError.usage("--api-key-file \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ClawrunError.usage("--api-key-file \(path) is not a regular file")
        }
        guard info.st_uid == geteuid() else {
            throw ClawrunError.usage("--api-key-file \(path) belongs to uid \(info.st_uid), not to this user "
                                     + "(uid \(geteuid())): give a key file of your own")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ClawrunError.usage("--api-key-file \(path) is open to other users (mode \(String(mode, radix: 8))): "
                                     + "run chmod 600 \(path)")
        }
        guard info.st_size <= 4096 else {
            throw ClawrunError.usage("--api-key-file \(path) holds \(info.st_size) bytes; a key is one short line")
        }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ClawrunError.usage("--api-key-file \(path) is empty") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7f }) else {
            throw ClawrunError.usage("--api-key-file \(path) holds more than one word: a key is one line without spaces")
        }
        return text
    }
}
