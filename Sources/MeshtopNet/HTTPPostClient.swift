#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small blocking HTTP/1.1 client that POSTs over one kept-alive TCP connection: what the demo's OTLP/HTTP
/// exporter uses (an SDK exporter keeps one connection open the same way). Not a general HTTP client: no TLS, no
/// redirects, no proxies; responses with `Content-Length`, chunked, or delimited by the server closing.
///
/// The connection is opened on first use and again after the server closed it. A request that fails on a reused
/// connection before any byte of the answer arrived (the server closed it while idle) is sent once more on a new
/// connection. Send, receive and connect wait at most `timeoutSeconds`; the caller's thread blocks meanwhile.
public final class HTTPPostClient {
    public let host: String
    public let port: Int
    let timeoutSeconds: Int
    let maxResponseBytes: Int
    private var fd: Int32 = -1
    /// Bytes received after the end of the last response (none with a well-behaved server).
    private var pending: [UInt8] = []
    /// Connections opened so far (1 while keep-alive holds).
    public private(set) var connections = 0

    public init(host: String, port: Int, timeoutSeconds: Int = 5, maxResponseBytes: Int = 4 << 20) {
        self.host = host
        self.port = port
        self.timeoutSeconds = max(timeoutSeconds, 1)
        self.maxResponseBytes = maxResponseBytes
    }

    deinit { disconnect() }

    /// Sends `POST path` with `body` and returns the server's answer, whatever its status.
    public func post(path: String, contentType: String, body: [UInt8]) throws(HTTPPostError) -> HTTPResponse {
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\nUser-Agent: meshtop-demo\r\n\r\n"
        let request = Array(head.utf8) + body
        let reused = fd >= 0
        switch exchange(request) {
        case .response(let r): return r
        case .failed(let e): throw e
        case .closedEarly(let e):
            guard reused else { throw e }
            switch exchange(request) {
            case .response(let r): return r
            case .failed(let e), .closedEarly(let e): throw e
            }
        }
    }

    /// Closes the connection (the next request opens a new one).
    public func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        pending.removeAll()
    }

    enum Attempt {
        case response(HTTPResponse)
        /// The connection failed before any byte of the answer arrived.
        case closedEarly(HTTPPostError)
        case failed(HTTPPostError)
    }

    func exchange(_ request: [UInt8]) -> Attempt {
        if fd < 0 {
            do throws(HTTPPostError) {
                try openConnection()
            } catch {
                return .failed(error)
            }
        }
        if let e = writeAll(request) {
            disconnect()
            return .closedEarly(e)
        }
        var reader = ResponseReader(limit: maxResponseBytes)
        reader.buffer = pending
        pending = []
        while true {
            switch reader.parse() {
            case .needMore:
                switch readSome(into: &reader.buffer) {
                case .data: continue
                case .eof:
                    if reader.readsToClose, let r = reader.finishAtClose() {
                        disconnect()
                        return .response(r)
                    }
                    let started = reader.started
                    disconnect()
                    let e = HTTPPostError.closed("\(host):\(port)")
                    return started ? .failed(e) : .closedEarly(e)
                case .error(let e):
                    let started = reader.started
                    disconnect()
                    return started ? .failed(e) : .closedEarly(e)
                }
            case .malformed(let why):
                disconnect()
                return .failed(.malformed(why))
            case .done(let response, let rest, let keepAlive):
                if keepAlive { pending = rest } else { disconnect() }
                return .response(response)
            }
        }
    }

    func openConnection() throws(HTTPPostError) {
        let addresses: [ResolvedAddress]
        do {
            addresses = try ResolvedAddress.resolve(host: host, port: port, stream: true)
        } catch {
            throw .resolve("\(host):\(port)", error.message)
        }
        var why = "no address"
        for address in addresses {
            guard let s = address.openSocket() else {
                why = String(cString: strerror(errno))
                continue
            }
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            let tvSize = socklen_t(MemoryLayout<timeval>.size)
            _ = setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, tvSize)
            _ = setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &timeout, tvSize)
            var one: Int32 = 1
            _ = setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            #if canImport(Darwin)
            _ = setsockopt(s, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            if address.connect(s) {
                fd = s
                connections += 1
                return
            }
            why = String(cString: strerror(errno))
            close(s)
        }
        throw .connect("\(host):\(port)", why)
    }

    func writeAll(_ bytes: [UInt8]) -> HTTPPostError? {
        bytes.withUnsafeBytes { raw -> HTTPPostError? in
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, 0)
                #endif
                if n > 0 {
                    offset += n
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK
                    ? .timeout("\(host):\(port)") : .io("\(host):\(port)", String(cString: strerror(errno)))
            }
            return nil
        }
    }

    enum ReadOutcome {
        case data, eof
        case error(HTTPPostError)
    }

    func readSome(into buffer: inout [UInt8]) -> ReadOutcome {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return .data
            }
            if n == 0 { return .eof }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .error(.timeout("\(host):\(port)")) }
            return .error(.io("\(host):\(port)", String(cString: strerror(errno))))
        }
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    /// Header names lowercased, in the order received.
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name == n }?.value
    }

    /// 429, 502, 503 and 504: the statuses after which an OTLP/HTTP exporter sends the same request again later.
    public var isRetryable: Bool { [429, 502, 503, 504].contains(status) }

    /// `Retry-After` in seconds (the delay form; an HTTP date is not read).
    public var retryAfterSeconds: Int? {
        header("retry-after").flatMap { Int($0.trimmingSpaces) }.map { max($0, 0) }
    }
}

public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
}

/// Why a request got no HTTP answer.
public enum HTTPPostError: Error, Sendable, Hashable, CustomStringConvertible {
    case resolve(String, String)
    case connect(String, String)
    case io(String, String)
    case timeout(String)
    /// The server closed the connection before the answer was complete.
    case closed(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .resolve(let target, let why): return "cannot resolve \(target): \(why)"
        case .connect(let target, let why): return "cannot connect to \(target): \(why); is the collector running?"
        case .io(let target, let why): return "connection to \(target) failed: \(why)"
        case .timeout(let target): return "\(target) did not answer in time"
        case .closed(let target): return "\(target) closed the connection before answering"
        case .malformed(let why): return "the answer is not HTTP/1.1: \(why)"
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
