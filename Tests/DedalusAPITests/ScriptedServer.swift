import ClawrunCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP server on 127.0.0.1 that answers each request with a script of its own, byte by byte
/// if need be (redirects, drips, huge bodies), and records what each request carried. Each
/// connection is served on a thread of its own, so a slow script slows no one else.
final class ScriptedServer: @unchecked Sendable {
    /// One received request: its request line and headers (names lowercased).
    struct Received: Sendable {
        var line: String
        var headers: [String: String]
    }

    /// What the script may do with a connection.
    struct Connection {
        let fd: Int32

        /// Writes bytes; false once the client has gone.
        @discardableResult
        func write(_ text: String) -> Bool { write(Array(text.utf8)) }

        /// Writes bytes; false once the client has gone.
        @discardableResult
        func write(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }
    }

    private let listener: Int32
    let port: Int
    private let script: @Sendable (Received, Connection) -> Void
    private let log = Locked<[Received]>([])
    private let stopped = Locked(false)

    /// Starts listening; `script` answers each request (the connection closes after it returns).
    init(script: @escaping @Sendable (Received, Connection) -> Void) throws {
        self.script = script
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 64) == 0 else { throw ClawrunError.failed("cannot listen: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT`
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    var received: [Received] { log.withLock { $0 } }

    /// Stops accepting.
    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !data.ends(with: Array("\r\n\r\n".utf8)) {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return }
            data += buffer[0..<n]
        }
        let lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let received = Received(line: lines.first ?? "", headers: headers)
        log.withLock { $0.append(received) }
        script(received, Connection(fd: fd))
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// An HTTP answer's bytes.
func httpAnswer(_ status: String, headers: [String: String] = [:], body: String = "") -> String {
    var text = "HTTP/1.1 \(status)\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    return text + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
}
