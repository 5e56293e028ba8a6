#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket connected to one peer: what `meshtop send`, the agent, the demo and the ingest benchmark use to
/// reach a collector. Connecting makes the kernel report an ICMP port-unreachable as `ECONNREFUSED` on a later
/// send, which callers may use (the agent) or ignore (`send`, the demo).
public final class DatagramSocket: @unchecked Sendable {
    // The descriptor is immutable after init; sends are independent system calls.
    private let fd: Int32

    /// Resolves `host` (names through getaddrinfo, IPv4 or IPv6) and connects a datagram socket to `port`.
    public init(host: String, port: Int, sendBufferBytes: Int = 4 << 20) throws(DatagramSocketError) {
        let address: ResolvedAddress
        do {
            address = try ResolvedAddress.resolve(host: host, port: port, stream: false)[0]
        } catch {
            throw .resolve("\(host):\(port)", error.message)
        }
        guard let s = address.openSocket() else { throw .socket(String(cString: strerror(errno))) }
        var size = Int32(clamping: sendBufferBytes)
        _ = setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        guard address.connect(s) else {
            let why = String(cString: strerror(errno))
            close(s)
            throw .connect("\(host):\(port)", why)
        }
        fd = s
    }

    deinit { close(fd) }

    /// Sends one datagram (retrying on EINTR); returns 0, or the `errno` of the failure.
    public func send(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        while true {
            #if canImport(Glibc)
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            #else
            let n = Darwin.send(fd, bytes.baseAddress, bytes.count, 0)
            #endif
            if n >= 0 { return 0 }
            if errno == EINTR { continue }
            return errno
        }
    }

    public func send(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { send($0) }
    }

    /// The local port the socket is bound to.
    public var localPort: Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard ok == 0 else { return 0 }
        return withUnsafeBytes(of: &storage) { raw in Int(UInt16(raw[2]) << 8 | UInt16(raw[3])) }
    }
}

/// Why a datagram socket could not be set up.
public enum DatagramSocketError: Error, Sendable, CustomStringConvertible {
    case resolve(String, String)
    case socket(String)
    case connect(String, String)

    public var description: String {
        switch self {
        case .resolve(let target, let why): return "cannot resolve \(target): \(why)"
        case .socket(let why): return "cannot open a UDP socket: \(why)"
        case .connect(let target, let why): return "cannot connect a UDP socket to \(target): \(why)"
        }
    }
}
