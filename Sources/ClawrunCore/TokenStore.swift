import Foundation

/// The gateway token that deploy or rotate-token set on each machine, kept under
/// `CLAWRUN_HOME/tokens/` in files only their owner can read.
public struct TokenStore: Sendable {
    public let directory: URL

    /// Makes the store of a clawrun home.
    public init(home: URL) {
        directory = home.appendingPathComponent("tokens", isDirectory: true)
    }

    private func file(_ machineId: String) throws -> URL {
        guard !machineId.isEmpty, machineId.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else {
            throw ClawrunError.invalidArgument("machine id '\(machineId)' cannot name a token file")
        }
        return directory.appendingPathComponent(machineId)
    }

    /// The recorded token of a machine, or nil.
    public func token(for machineId: String) throws -> String? {
        let url = try file(machineId)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Records a machine's token: written to a temporary file of mode 600, then renamed.
    public func setToken(_ token: String, for machineId: String) throws {
        let url = try file(machineId)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        chmod(directory.path, 0o700)
        let temp = directory.appendingPathComponent(".\(machineId).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temp.path, contents: Data((token + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ClawrunError.failed("cannot write the token file in \(directory.path): check its permissions")
        }
        guard rename(temp.path, url.path) == 0 else {
            unlink(temp.path)
            throw ClawrunError.failed("cannot record the token in \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Forgets a machine's token.
    public func removeToken(for machineId: String) throws {
        unlink(try file(machineId).path)
    }
}
