#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected UDP client socket: what `meshtop send` and the ingest benchmark use to reach a collector.
public final class UDPSender {
    /// Largest UDP payload over IPv4.
    public static let maxDatagram = 65_507
    private let fd: Int32
    public let target: HostPort

    /// Resolves `target` (names through getaddrinfo) and connects a datagram socket to it.
    public init(target: HostPort, sendBufferBytes: Int = 4 * 1024 * 1024) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(target.host, String(target.port), &hints, &result)
        guard rc == 0, let info = result else {
            throw SendError.resolve(target, String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, 0)
        guard fd >= 0 else { throw SendError.socket(String(cString: strerror(errno))) }
        var size = Int32(sendBufferBytes)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SendError.resolve(target, message)
        }
        self.fd = fd
        self.target = target
    }

    deinit { close(fd) }

    /// Sends one datagram. Waits briefly and retries when the socket buffer is full; a refused port
    /// (ICMP from an earlier datagram) is not an error for UDP. Returns false when the datagram was not sent.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for _ in 0..<1_000 {
            let n = Glibc_send(fd, bytes.baseAddress, bytes.count)
            if n >= 0 { return true }
            switch errno {
            case EINTR, ECONNREFUSED: continue
            case ENOBUFS, EAGAIN: usleep(50)
            default: return false
            }
        }
        return false
    }

    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { send($0) }
    }

    /// The local port (useful to tell collectors' `source` fields apart in tests).
    public var localPort: Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard ok == 0 else { return 0 }
        return withUnsafeBytes(of: &storage) { raw in
            Int(UInt16(raw[2]) << 8 | UInt16(raw[3]))
        }
    }
}

@inline(__always)
private func Glibc_send(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.send(fd, p, n, Int32(MSG_NOSIGNAL))
    #else
    return Darwin.send(fd, p, n, 0)
    #endif
}

/// Why sending could not start.
public enum SendError: Error, CustomStringConvertible {
    case resolve(HostPort, String)
    case socket(String)

    public var description: String {
        switch self {
        case .resolve(let t, let why): return "cannot send to udp \(t): \(why); check --to HOST:PORT"
        case .socket(let why): return "cannot open a UDP socket: \(why)"
        }
    }
}
