#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client for the CLI's calls to a local gateway.
///
/// A CLI invocation makes one request and exits, so plain sockets with a deadline are all it
/// needs; starting an event loop would only cost start-up time and memory.
public enum LoopbackHTTPClient {
    /// A received response.
    public struct Response {
        public let status: Int
        /// Header names lowercased, in arrival order.
        public let headers: [(String, String)]
        public let body: [UInt8]

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.0 == lower }?.1
        }
    }

    /// Why no response arrived.
    public enum Failure: Error {
        /// Nothing listens, or the connection dropped before a response.
        case unreachable(String)
        /// The deadline passed.
        case timeout
    }

    /// Sends one request and waits for the whole response until `timeoutMs` has passed.
    public static func request(host: String, port: Int, method: String, path: String,
                               headers: [(String, String)], body: [UInt8], timeoutMs: Int) throws -> Response {
        let deadline = Clock.monotonicMs() + Int64(timeoutMs)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
            throw Failure.unreachable("getaddrinfo ENOTFOUND \(host)")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.unreachable("socket failed") }
        defer { close(fd) }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw Failure.unreachable("connect \(SystemError.name(of: errno))") }
            try wait(fd, events: Int16(POLLOUT), deadline: deadline)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { throw Failure.unreachable("connect \(SystemError.name(of: error)) \(host):\(port)") }
        }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "Content-Length: \(body.count)\r\n\r\n"
        var outgoing = Array(request.utf8) + body
        while !outgoing.isEmpty {
            try wait(fd, events: Int16(POLLOUT), deadline: deadline)
            let n = outgoing.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw Failure.unreachable("write \(SystemError.name(of: errno))")
            }
            outgoing.removeFirst(n)
        }
        var incoming: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let response = parse(incoming, complete: false) { return response }
            try wait(fd, events: Int16(POLLIN), deadline: deadline)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw Failure.unreachable("read \(SystemError.name(of: errno))")
            }
            if n == 0 {
                if let response = parse(incoming, complete: true) { return response }
                throw Failure.unreachable("socket hang up")
            }
            incoming.append(contentsOf: buffer[0..<n])
        }
    }

    private static func wait(_ fd: Int32, events: Int16, deadline: Int64) throws {
        while true {
            let remaining = deadline - Clock.monotonicMs()
            if remaining <= 0 { throw Failure.timeout }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&pfd, 1, Int32(min(remaining, Int64(Int32.max))))
            if n > 0 { return }
            if n < 0 && errno != EINTR { throw Failure.unreachable("poll failed") }
        }
    }

    /// A complete response from `bytes`, or nil if more is needed. Bodies are delimited by
    /// Content-Length or, failing that, by the end of the connection.
    private static func parse(_ bytes: [UInt8], complete: Bool) -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
              let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first else { return nil }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var contentLength: Int?
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = pair[0].lowercased()
            let value = String(pair[1]).trimmingSpaces()
            headers.append((name, value))
            if name == "content-length" { contentLength = Int(value) }
        }
        let bodyStart = end + 4
        if let contentLength {
            guard bytes.count - bodyStart >= contentLength else { return nil }
            return Response(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + contentLength]))
        }
        return complete ? Response(status: status, headers: headers, body: Array(bytes[bodyStart...])) : nil
    }
}
