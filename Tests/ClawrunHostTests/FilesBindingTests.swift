import ClawrunCore
import Foundation
import Testing

/// `files.*`: the operator-side files of backup and restore, which hold a gateway's keys and token:
/// folders mode 700, files mode 600, plain names only, and no symbolic link followed out of the folder.
@Suite struct FilesBindingTests {
    static func mode(_ path: String) -> Int {
        var st = stat()
        return lstat(path, &st) == 0 ? Int(st.st_mode & 0o7777) : -1
    }

    @Test func aFolderIs700AndItsFiles600WhateverTheUmask() async throws {
        let sandbox = try Sandbox()
        let dir = sandbox.root.appendingPathComponent("backups/one").path
        let old = umask(0o022)
        defer { umask(old) }
        let (outcome, events) = try await sandbox.run("""
            local d = files.mkdir(args.dir)
            local n = files.write(d, "secret.txt", "token-value")
            files.write(d, "blob.bin", "AAEC/w==", {base64 = true})
            return {d, n, files.read(d, "secret.txt"), files.read(d, "blob.bin", {base64 = true}), files.read(d, "absent") == nil}
            """, args: ["dir": dir])
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        #expect(events.last { $0.event == "result" }?["value"]
                == .array([.string(dir), .int(11), .string("token-value"), .string("AAEC/w=="), .bool(true)]))
        #expect(Self.mode(dir) == 0o700)
        #expect(Self.mode(dir + "/secret.txt") == 0o600)
        #expect(Self.mode(dir + "/blob.bin") == 0o600)
        #expect(FileManager.default.contents(atPath: dir + "/blob.bin") == Data([0, 1, 2, 255]))
        // No temporary file is left beside them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["blob.bin", "secret.txt"])
    }

    @Test(arguments: ["../escape", "a/b", "..", ".", "", "/etc/passwd", "name\u{1b}[2J"])
    func aNameThatIsNotAPlainFileNameIsRefused(name: String) async throws {
        let sandbox = try Sandbox()
        let (outcome, _) = try await sandbox.run("""
            local d = files.mkdir(args.dir)
            files.write(d, args.name, "x")
            """, args: ["dir": sandbox.root.appendingPathComponent("b").path, "name": name])
        #expect(outcome.exitCode == 1)
        #expect(outcome.error?.contains("is not a plain file name") == true, "\(outcome.error ?? "")")
        #expect(!FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("escape").path))
    }

    @Test func symbolicLinksAreNotFollowed() async throws {
        let sandbox = try Sandbox()
        let outside = sandbox.root.appendingPathComponent("outside.txt").path
        try "do not touch".write(toFile: outside, atomically: true, encoding: .utf8)
        let dir = sandbox.root.appendingPathComponent("b").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: sandbox.root.appendingPathComponent("linkdir").path,
                                                   withDestinationPath: dir)
        let (outcome, events) = try await sandbox.run("""
            local read_ok, read_err = pcall(files.read, args.dir, "link.txt")
            local mk_ok, mk_err = pcall(files.mkdir, args.linkdir)
            local w_ok, w_err = pcall(files.write, args.linkdir, "x.txt", "data")
            files.write(args.dir, "link.txt", "replaced")
            return {read_ok, tostring(read_err), mk_ok, tostring(mk_err), w_ok, tostring(w_err)}
            """, args: ["dir": dir, "linkdir": sandbox.root.appendingPathComponent("linkdir").path])
        #expect(outcome.exitCode == 0, "\(outcome.error ?? "")")
        let value = try #require(events.last { $0.event == "result" }?["value"]?.arrayValue)
        #expect(value[0] == .bool(false))
        #expect(value[1].stringValue?.contains("it is a symbolic link") == true)
        #expect(value[2] == .bool(false))
        #expect(value[3].stringValue?.contains("is not a folder") == true)
        #expect(value[4] == .bool(false))
        // Writing over a link replaces the link itself; its target outside the folder is untouched.
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "do not touch")
        #expect(try String(contentsOfFile: dir + "/link.txt", encoding: .utf8) == "replaced")
        #expect(Self.mode(dir + "/link.txt") == 0o600)
    }

    @Test func badBase64IsRefusedAndWritesNothing() async throws {
        let sandbox = try Sandbox()
        let dir = sandbox.root.appendingPathComponent("b").path
        let (outcome, _) = try await sandbox.run("""
            local d = files.mkdir(args.dir)
            files.write(d, "a.bin", "%%%not base64", {base64 = true})
            """, args: ["dir": dir])
        #expect(outcome.exitCode == 1)
        #expect(outcome.error?.contains("not valid base64") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
