import ClawrunCore
import Foundation
import LuaRuntime

/// `files.mkdir/write/read`: files on the operator's side (a backup of a gateway's state, which
/// holds its keys and token). A folder is made mode 700; a file is one plain name inside such a
/// folder (no path, no `..`), written mode 600 through a temporary file and a rename, and neither
/// the folder nor the file is reached through a symbolic link, so nothing lands outside the folder.
extension HostContext {
    func registerFiles() {
        state.register("files.mkdir") { [unowned self] call in
            let dir = self.expand(try call.string(1, "path"))
            return .values([.string(try PrivateFolder.make(dir))])
        }
        state.register("files.write") { [unowned self] call in
            let dir = self.expand(try call.string(1, "dir"))
            let name = try call.string(2, "name")
            let text = try call.string(3, "data")
            let opts = try call.optionalTable(4, "options")
            try opts?.checkKeys(["base64"])
            var data = Data(text.utf8)
            if try opts?.bool("base64") == true {
                guard let decoded = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                    throw HostError("files.write: the data for \(name) is not valid base64")
                }
                data = decoded
            }
            try PrivateFolder(dir).write(name, data)
            return .values([.integer(Int64(data.count))])
        }
        state.register("files.read") { [unowned self] call in
            let dir = self.expand(try call.string(1, "dir"))
            let name = try call.string(2, "name")
            let opts = try call.optionalTable(3, "options")
            try opts?.checkKeys(["base64"])
            guard let data = try PrivateFolder(dir).read(name) else { return .values([.nil]) }
            if try opts?.bool("base64") == true { return .values([.string(data.base64EncodedString())]) }
            return .values([.string(String(decoding: data, as: UTF8.self))])
        }
    }

    /// A path with a leading `~/` taken from the caller's HOME.
    private func expand(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = options.environment["HOME"] else { return path }
        return home + path.dropFirst()
    }
}
