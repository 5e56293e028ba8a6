import Glibc

/// A UDP socket connected to the collector. Connecting makes the kernel report ICMP port-unreachable as
/// `ECONNREFUSED` on a later send, which is how the agent notices that the collector is away.
final class UDPShipper {
    private let fd: Int32
    let destination: String

    /// Resolves `HOST:PORT` (`[v6]:PORT` too) and connects a datagram socket to it.
    init(destination: String) throws(AgentError) {
        self.destination = destination
        guard let colon = destination.lastIndex(of: ":") else { throw .destination(destination, "no port") }
        var host = String(destination[..<colon])
        let port = String(destination[destination.index(after: colon)...])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let p = Int(port), (1...65_535).contains(p) else { throw .destination(destination, "bad port") }
        if host.isEmpty { host = "127.0.0.1" }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, port, &hints, &res)
        guard rc == 0, let info = res else {
            throw .destination(destination, "cannot resolve host: \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(res) }
        let s = socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw .socket("socket(): \(String(cString: strerror(errno)))") }
        var size: Int32 = 4 << 20
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        guard connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let why = String(cString: strerror(errno))
            close(s)
            throw .destination(destination, "connect(): \(why)")
        }
        fd = s
    }

    deinit { close(fd) }

    /// Sends one datagram; returns 0 on success or the `errno` of the failure.
    func send(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, 0)
            if n >= 0 { return 0 }
            if errno == EINTR { continue }
            return errno
        }
    }
}
