#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected IPv4 UDP socket for sending datagrams to one collector address.
public final class UDPSocket: @unchecked Sendable {
    // One owner sends at a time (the demo's pacing loop); the fd is immutable after init.
    private let fd: Int32
    public private(set) var sent = 0
    public private(set) var failed = 0

    public enum SocketError: Error, CustomStringConvertible {
        case resolve(String)
        case system(String, Int32)

        public var description: String {
            switch self {
            case .resolve(let a): return "cannot use address '\(a)': give HOST:PORT with an IPv4 host"
            case .system(let what, let e): return "\(what) failed: \(String(cString: strerror(e)))"
            }
        }
    }

    /// `host` is an IPv4 address or `localhost`.
    public init(host: String, port: UInt16) throws {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        let h = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, h, &addr.sin_addr) == 1 else { throw SocketError.resolve("\(host):\(port)") }
        #if canImport(Glibc)
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let s = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard s >= 0 else { throw SocketError.system("socket", errno) }
        var size: Int32 = 4 << 20
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(s)
            throw SocketError.system("connect", errno)
        }
        fd = s
    }

    deinit { close(fd) }

    /// Sends one datagram; failures (e.g. nobody listening yet) are counted, not thrown.
    public func send(_ bytes: [UInt8]) {
        let n = bytes.withUnsafeBytes { sendBytes(fd, $0.baseAddress, $0.count) }
        if n < 0 { failed += 1 } else { sent += 1 }
    }
}

@inline(__always)
private func sendBytes(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int {
    send(fd, p, n, 0)
}
