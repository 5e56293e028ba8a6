import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 server for client tests: each request (head and `Content-Length` body) is answered with the
/// bytes `respond` returns, after which the connection is closed when `close` is true. Connections are served one
/// at a time on one thread; requests are recorded with the connection they arrived on.
final class ScriptedHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var connection: Int
        var head: String
        var body: [UInt8]
        var path: String { head.split(separator: " ").dropFirst().first.map(String.init) ?? "" }
    }

    struct Answer {
        var bytes: [UInt8]
        var close = false
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private let respond: @Sendable (Request) -> Answer

    init(respond: @escaping @Sendable (Request) -> Answer) throws {
        self.respond = respond
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard s >= 0, bound == 0, listen(s, 8) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) }
        }
        listener = s
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops accepting: the serving thread's accept fails and that thread closes the listener (closing it here
    /// could let another test's new socket reuse the descriptor under the still-running accept).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    var requests: [Request] { lock.withLock { received } }

    /// `200 OK` with a body, the way the collector answers.
    static func ok(_ body: String = "", headers: String = "") -> Answer {
        Answer(bytes: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)".utf8))
    }

    private func serve() {
        var connection = 0
        while true {
            let c = accept(listener, nil, nil)
            if c < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            connection += 1
            var buffer: [UInt8] = []
            while let request = read(c, &buffer, connection: connection) {
                lock.withLock { received.append(request) }
                let answer = respond(request)
                _ = answer.bytes.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if answer.close { break }
            }
            close(c)
        }
    }

    private func read(_ c: Int32, _ buffer: inout [UInt8], connection: Int) -> Request? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        func more() -> Bool {
            let n = chunk.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
        while true {
            let headEnd = (0..<max(buffer.count - 3, 0)).first {
                buffer[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10])
            }
            if let end = headEnd {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while buffer.count < end + 4 + length { if !more() { return nil } }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return Request(connection: connection, head: head, body: body)
            }
            if !more() { return nil }
        }
    }
}
