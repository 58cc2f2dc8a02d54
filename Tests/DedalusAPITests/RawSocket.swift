import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to 127.0.0.1, for clients no HTTP library would be: slow, silent, idle.
/// Reads block a Dispatch thread, never the cooperative pool that the server's own tasks need.
final class RawSocket: @unchecked Sendable {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "connect: \(String(cString: strerror(errno)))"])
        }
    }

    deinit { close(fd) }

    /// Sends text; false when the peer has closed.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads until the peer closes or `timeout` seconds pass; returns the text and whether it closed.
    func readToClose(timeout: Double) async -> (text: String, closed: Bool) {
        await read(timeout: timeout) { _ in false }
    }

    /// Reads until `done` says the text so far is enough, the peer closes, or `timeout` passes.
    func read(timeout: Double, until done: @escaping @Sendable (String) -> Bool) async -> (text: String, closed: Bool) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingRead(timeout: timeout, until: done)) }
        }
    }

    private func blockingRead(timeout: Double, until done: (String) -> Bool) -> (text: String, closed: Bool) {
        var data = [UInt8]()
        let end = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < end {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(max(1, end.timeIntervalSinceNow * 1000))
            guard poll(&p, 1, ms) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (String(decoding: data, as: UTF8.self), true) }
            data += buffer[0..<n]
            if done(String(decoding: data, as: UTF8.self)) { break }
        }
        return (String(decoding: data, as: UTF8.self), false)
    }

    /// Reads one whole answer (head and `Content-Length` body).
    func readResponse(timeout: Double = 60) async -> String {
        await read(timeout: timeout, until: Self.isWholeAnswer).text
    }

    /// Sends each request once the answer to the one before it is whole, all from one Dispatch
    /// thread, and returns the answers: the gap between an answer and the next request is then the
    /// kernel's, not a loaded cooperative pool's (an idle timeout measures exactly that gap).
    func exchange(_ requests: [String], timeout: Double = 60) async -> [String] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: requests.map { request in
                    self.send(request)
                    return self.blockingRead(timeout: timeout, until: Self.isWholeAnswer).text
                })
            }
        }
    }

    private static func isWholeAnswer(_ text: String) -> Bool {
        guard let split = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<split.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return true }
        return text.utf8.count - text[..<split.upperBound].utf8.count >= length
    }
}

/// A GET request line and headers that keep the connection alive.
func keepAliveGET(_ path: String = "/v1/machines") -> String {
    "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
}
