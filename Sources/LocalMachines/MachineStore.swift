#if canImport(Glibc)
import Glibc
#endif
import CProcess
import ClawrunCore
import Foundation

/// The machines' folders under CLAWRUN_HOME/machines: one folder per machine holding its state
/// file, persistent home, overlay layers and the files its sandbox writes about itself, plus a
/// small tombstone per destroyed machine so that `get` can report `destroyed`.
struct MachineStore: Sendable {
    let machinesDirectory: URL
    /// machinesDirectory as a path: the files read on every request are named by plain string
    /// concatenation (URL appending stood out in profiles of a fleet waking).
    private let base: String
    /// The last bytes read or written of each state file and what they decode to: a `get`
    /// mostly finds the file unchanged, and decoding it was a seventh of its cost.
    private let decoded = Locked([String: (bytes: [UInt8], record: MachineRecord)]())

    init(home: URL) {
        machinesDirectory = home.appendingPathComponent("machines", isDirectory: true)
        base = machinesDirectory.path
    }

    /// The machine's folder.
    func folder(_ id: String) -> URL { machinesDirectory.appendingPathComponent(id, isDirectory: true) }
    /// The sandbox's own messages, read when it fails to start.
    func logFile(_ id: String) -> URL { folder(id).appendingPathComponent("sandbox.log") }
    /// The identity of the NAT helper, when the machine has one.
    func natFile(_ id: String) -> URL { folder(id).appendingPathComponent("nat.pid") }
    private func stateFile(_ id: String) -> String { base + "/" + id + "/machine.json" }
    private func tombstone(_ id: String) -> String { base + "/" + id + ".destroyed.json" }
    /// The file the sandbox init writes its identity to.
    private func initFile(_ id: String) -> String { base + "/" + id + "/init.pid" }

    /// Makes the folder of a new machine and its first state file. The folders the machine writes
    /// through (its home, its root's upper layer) belong to `owner`, the host uid of its root. The
    /// folder is made aside and renamed into place whole: a process killed meanwhile leaves no
    /// machine folder without a state file (which no `list` would show, nor any delete remove).
    func create(_ record: MachineRecord, owner: uid_t) throws {
        let fm = FileManager.default
        let staging = base + "/" + MachineStore.stagingPrefix + "\(getpid())-" + record.id
        do {
            try fm.createDirectory(at: machinesDirectory, withIntermediateDirectories: true)
            // Each overlay mount makes and deletes a few inodes in its work folder, and ext4
            // without a journal scans past recently deleted inodes on every allocation. Marked as
            // a top directory, machines/ gets each machine's folder in a block group of its own,
            // so one machine's boots do not slow the next one's: a tenth of the CPU of a fleet
            // waking, on this project's test host. Other filesystems have no such flag.
            _ = clawrun_mark_top_directory(base)
            for sub in ["home", "upper", "work", "root"] {
                let dir = staging + "/" + sub
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
                if geteuid() == 0 && chown(dir, owner, owner) != 0 {
                    throw ClawrunError.failed("cannot give \(dir) to uid \(owner): \(String(cString: strerror(errno)))")
                }
            }
            try StateFile.create(staging + "/machine.json", encode(record))
            guard rename(staging, folder(record.id).path) == 0 else {
                throw ClawrunError.failed("cannot rename \(staging): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw ClawrunError.failed("cannot create machine folder \(folder(record.id).path): \(error)")
        }
    }

    /// How folders being made begin, followed by the maker's pid.
    static let stagingPrefix = ".new-"

    /// Removes the folders under `parent` that processes now gone were making (killed, say).
    static func removeAbandoned(in parent: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(stagingPrefix) {
            let pid = name.dropFirst(stagingPrefix.count).split(separator: "-").first.flatMap { Int32($0) } ?? 0
            if pid > 0 && kill(pid, 0) != 0 && errno == ESRCH { try? removeTree(parent + "/" + name) }
        }
    }

    /// The machine's state, or its tombstone once destroyed, or nil for an unknown id.
    func load(_ id: String) -> MachineRecord? {
        guard Identifiers.isMachineID(id) else { return nil }
        return read(stateFile(id)) ?? read(tombstone(id))
    }

    /// Changes a live machine's state, locked against every other writer of it in any process;
    /// nil when it has no state file.
    @discardableResult
    func update(_ id: String, _ body: (inout MachineRecord) -> Void) throws -> MachineRecord? {
        guard Identifiers.isMachineID(id) else { return nil }
        var updated: (bytes: [UInt8], record: MachineRecord)?
        let path = stateFile(id)
        _ = try StateFile.update(path) { bytes in
            guard var record = decode(bytes, of: path) else { return nil }
            body(&record)
            let text = try encode(record)
            updated = (text, record)
            return text
        }
        if let updated { decoded.withLock { $0[path] = updated } }
        return updated?.record
    }

    /// The ids of machines that still have a folder, oldest first.
    func ids() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return names.filter { Identifiers.isMachineID($0) }.sorted()
    }

    /// The sandbox init's identity, as it last wrote it (that init may be gone).
    func initIdentity(_ id: String) -> ProcessIdentity? {
        StateFile.read(initFile(id)).flatMap { ProcessIdentity(text: String(decoding: $0, as: UTF8.self)) }
    }

    /// Empties the overlay's upper layer: the root filesystem resets to the machine base.
    func resetRoot(_ id: String) throws {
        // The folders stay (the overlay cleans its work folder itself): each new one would cost
        // an inode, which on some filesystems is the dearest part of a wake (see StateFile).
        let fm = FileManager.default
        let upper = folder(id).appendingPathComponent("upper")
        try fm.createDirectory(at: upper, withIntermediateDirectories: true)
        let names = try fm.contentsOfDirectory(atPath: upper.path)
        // A wake after a sleep finds the layer empty already, and then there is nothing to guard.
        if !names.isEmpty { try refuseMounted(id) }
        for name in names {
            try MachineStore.removeTree(upper.path + "/" + name)
        }
    }

    /// Removes a file or folder tree. Folders that only root could enter (the kernel leaves
    /// overlay work folders at mode 0, and a machine may make its own) are opened to their owner
    /// first, so that clawrun without root can remove what its machines made.
    static func removeTree(_ path: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            openToOwner(path)
            try FileManager.default.removeItem(atPath: path)
        }
    }

    private static func openToOwner(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { return }
        chmod(path, 0o700)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            openToOwner(path + "/" + name)
        }
    }

    /// Removes the machine's folder and leaves its tombstone. The state file goes last, so that a
    /// removal that fails leaves a machine still `destroying`, whose delete can be retried.
    func destroy(_ record: MachineRecord) async throws {
        try refuseMounted(record.id)
        let fm = FileManager.default
        let parts = ["home", "upper", "work", "root", "init.pid", "sandbox.log", "nat.pid"]
            .map { folder(record.id).appendingPathComponent($0) }
        // The kernel may release a dead namespace's mounts a moment after its last process, and
        // until then a directory they hold can refuse removal: a few retries cover that.
        var attempt = 0
        while true {
            do {
                for part in parts where fm.fileExists(atPath: part.path) { try MachineStore.removeTree(part.path) }
                break
            } catch {
                attempt += 1
                if attempt >= 50 { throw ClawrunError.failed("cannot remove machine \(record.id)'s files: \(error)") }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        var gone = record
        gone.transition(to: .destroyed, reason: "DesiredStateReached")
        try StateFile.remove(stateFile(record.id)) { try StateFile.create(tombstone(record.id), encode(gone)) }
        decoded.withLock { $0[stateFile(record.id)] = nil }
        try fm.removeItem(at: folder(record.id))
    }

    /// Forgets tombstones older than `age` seconds; after that `get` answers 404.
    func pruneTombstones(olderThan age: TimeInterval) {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: base)) ?? []
        for name in names where name.hasSuffix(".destroyed.json") {
            let path = base + "/" + name
            if let record = read(path), Date().timeIntervalSince(record.transitionAt) > age {
                try? fm.removeItem(atPath: path)
                decoded.withLock { $0[path] = nil }
            }
        }
    }

    /// Mounts live only in machines' private namespaces; one visible here means something went
    /// wrong, and a recursive delete through it could reach host files, so nothing is deleted.
    private func refuseMounted(_ id: String) throws {
        let prefix = folder(id).path + "/"
        let mounts = ProcFiles.read("/proc/self/mountinfo") ?? ""
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 4, (String(fields[4]) + "/").hasPrefix(prefix) {
                throw ClawrunError.failed(
                    "refusing to delete files of machine \(id): \(fields[4]) is mounted on the host; unmount it first")
            }
        }
    }

    private func read(_ path: String) -> MachineRecord? {
        StateFile.read(path).flatMap { decode($0, of: path) }
    }

    private func decode(_ bytes: [UInt8], of path: String) -> MachineRecord? {
        if let known = decoded.withLock({ $0[path] }), known.bytes == bytes { return known.record }
        guard let record = try? JSONDecoder.clawrun.decode(MachineRecord.self, from: Data(bytes)) else { return nil }
        decoded.withLock { $0[path] = (bytes, record) }
        return record
    }

    private func encode(_ record: MachineRecord) throws -> [UInt8] {
        [UInt8](try JSONEncoder.clawrun.encode(record))
    }
}

extension JSONEncoder {
    /// State files: dates as fractional seconds since 1970, sorted keys for readable diffs.
    static var clawrun: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.clawrun` wrote.
    static var clawrun: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }
}
