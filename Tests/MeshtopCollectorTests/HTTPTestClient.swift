import Foundation
import MeshtopNet
import Testing

@testable import MeshtopCollector

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 response as the test client read it.
struct HTTPTestResponse {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]
}

/// A tiny blocking HTTP/1.1 client over a POSIX TCP socket: requests on one keep-alive connection, raw bytes for
/// hostile clients, and a way to see that the server closed the connection. Every read times out after 20 s, so a
/// server that never answers fails the test instead of hanging it. `send` touches no state but the descriptor, so
/// one thread may write a request while another reads the answer (unchecked Sendable for that).
final class HTTPTestClient: @unchecked Sendable {
    let fd: Int32
    private var buffered: [UInt8] = []

    init(_ address: HostPort) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(address.port).bigEndian)
        inet_pton(AF_INET, address.host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .ECONNREFUSED)
        }
    }

    deinit { close(fd) }

    /// Writes all of `bytes`; false when the connection broke first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Sends one request and reads its response.
    func request(
        _ path: String, method: String = "POST", contentType: String? = nil, body: [UInt8] = [],
        headers: [(String, String)] = []
    ) throws -> HTTPTestResponse {
        send(Self.encode(method, path, contentType: contentType, body: body, headers: headers))
        return try #require(try readResponse(), "connection closed before a response")
    }

    static func encode(
        _ method: String, _ path: String, contentType: String? = nil, body: [UInt8] = [],
        headers: [(String, String)] = [], contentLength: Int? = nil
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(contentLength ?? body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Reads one response (Content-Length bodies only, which is all the receivers send); nil when the server
    /// closed the connection before a whole response arrived.
    func readResponse() throws -> HTTPTestResponse? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if let end = Self.find(separator, in: buffered) {
                headEnd = end
                break
            }
            guard fill() else { return nil }
        }
        let headText = String(decoding: buffered[..<headEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = try #require(statusLine.count >= 2 ? Int(statusLine[1]) : nil, "bad status line")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[line[..<colon].lowercased()] = value
        }
        buffered.removeFirst(headEnd! + separator.count)
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffered.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffered.prefix(length))
        buffered.removeFirst(length)
        if status == 100 { return try readResponse() }
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server has closed the connection (EOF or reset), waiting up to `seconds` for it.
    func waitForClose(seconds: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&p, 1, left) > 0 else { continue }
            var scratch = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &scratch, scratch.count, 0)
            if n <= 0 { return true }
        }
        return false
    }

    /// Whether the connection is closed right now (without waiting).
    var isClosed: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffered += chunk[..<n]
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

extension Harness {
    /// A harness whose OTLP/HTTP, OTLP/gRPC and Zipkin receivers listen on ephemeral loopback ports, with a
    /// 2-second head timeout (the tests that wait for it take seconds, not the default 10 s).
    static func withReceivers(configure: (inout CollectorConfig) -> Void = { _ in }) async throws -> Harness {
        try await Harness { config in
            config.otlpHTTP = HostPort(host: "127.0.0.1", port: 0)
            config.otlpGRPC = HostPort(host: "127.0.0.1", port: 0)
            config.zipkinHTTP = HostPort(host: "127.0.0.1", port: 0)
            config.httpHeaderTimeoutMicros = 2_000_000
            configure(&config)
        }
    }

    var otlpAddress: HostPort { collector.receiverAddresses["otlp"]! }
    var grpcAddress: HostPort { collector.receiverAddresses["otlp-grpc"]! }
    var zipkinAddress: HostPort { collector.receiverAddresses["zipkin"]! }
}

extension Fixture {
    /// A raw fixture file (`otlp-traces-1.pb`, `zipkin-spans-1.json`, …).
    static func body(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(file)))
    }
}

/// gzip for request bodies: the system's `gzip`, so the bytes are what a real client library would send.
enum Gzip {
    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c"]
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return Array(out)
    }

    /// A gzip stream of `size` zero bytes built directly (one fixed-Huffman deflate block: a literal 0, then
    /// length-258/distance-1 matches at 13 bits each), so a 1 GiB bomb is ~6.5 MB and costs no compression time.
    /// The trailer's CRC is left 0: a receiver that honours its size limit never reaches it.
    static func zeroBomb(size: Int) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]
        var acc: UInt64 = 0
        var bits = 0
        func put(_ value: UInt64, _ count: Int) {
            acc |= value << UInt64(bits)
            bits += count
            while bits >= 8 {
                out.append(UInt8(acc & 0xff))
                acc >>= 8
                bits -= 8
            }
        }
        // Huffman codes go most significant bit first; the stream is packed least significant bit first.
        func code(_ value: UInt64, _ count: Int) { put(reversed(value, count), count) }
        func reversed(_ value: UInt64, _ count: Int) -> UInt64 {
            var r: UInt64 = 0
            for i in 0..<count where value & (1 << UInt64(i)) != 0 { r |= 1 << UInt64(count - 1 - i) }
            return r
        }
        put(1, 1)  // BFINAL
        put(1, 2)  // BTYPE 01: fixed Huffman
        code(0x30, 8)  // literal 0
        let match = reversed(0xC5, 8) | (reversed(0, 5) << 8)  // length 258 (code 285), distance 1 (code 0)
        let matches = (size - 1) / 258
        out.reserveCapacity(matches * 13 / 8 + 32)
        for _ in 0..<matches { put(match, 13) }
        for _ in 0..<((size - 1) % 258) { code(0x30, 8) }
        code(0, 7)  // end of block (256)
        if bits > 0 { put(0, 8 - bits) }
        out += [0, 0, 0, 0]
        let isize = UInt32(truncatingIfNeeded: size)
        out += [UInt8(isize & 0xff), UInt8(isize >> 8 & 0xff), UInt8(isize >> 16 & 0xff), UInt8(isize >> 24)]
        return out
    }
}

/// This process's resident memory now and at its peak (`/proc/self/status`), in bytes.
enum ProcessMemory {
    static func kilobytes(_ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    static var peakBytes: Int { kilobytes("VmHWM") * 1024 }
    static var residentBytes: Int { kilobytes("VmRSS") * 1024 }
}
