#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One address getaddrinfo gave for a host and port, copied out of its list so it outlives it.
struct ResolvedAddress {
    var family: Int32
    var socketType: Int32
    var storage = sockaddr_storage()
    var length: socklen_t

    /// Opens a socket of this address's family and type, close-on-exec; nil with `errno` set when it fails.
    func openSocket() -> Int32? {
        let s = socket(family, socketType, 0)
        guard s >= 0 else { return nil }
        _ = fcntl(s, F_SETFD, FD_CLOEXEC)
        return s
    }

    /// Connects `fd` to this address; false with `errno` set when it fails.
    func connect(_ fd: Int32) -> Bool {
        withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                Glibc.connect(fd, $0, length) == 0
                #else
                Darwin.connect(fd, $0, length) == 0
                #endif
            }
        }
    }

    /// Resolves `host:port` (names through getaddrinfo, IPv4 or IPv6) for stream or datagram sockets, in
    /// getaddrinfo's order. Throws getaddrinfo's message when it cannot.
    static func resolve(host: String, port: Int, stream: Bool) throws(ResolveError) -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = stream ? SOCK_STREAM : SOCK_DGRAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, result != nil else { throw ResolveError(message: String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(result) }
        var out: [ResolvedAddress] = []
        var next = result
        while let info = next {
            next = info.pointee.ai_next
            guard let addr = info.pointee.ai_addr,
                Int(info.pointee.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size
            else { continue }
            var address = ResolvedAddress(
                family: info.pointee.ai_family, socketType: info.pointee.ai_socktype, length: info.pointee.ai_addrlen)
            withUnsafeMutableBytes(of: &address.storage) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: addr, count: Int(info.pointee.ai_addrlen)))
            }
            out.append(address)
        }
        guard !out.isEmpty else { throw ResolveError(message: "no address") }
        return out
    }

    /// getaddrinfo's reason for not resolving a name.
    struct ResolveError: Error {
        var message: String
    }
}
