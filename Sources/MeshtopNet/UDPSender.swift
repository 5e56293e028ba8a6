#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `meshtop send` and the ingest benchmark use to reach a collector: a `DatagramSocket` that waits and
/// retries when the socket buffer is full and treats a refused port as not an error (UDP has no connection).
public final class UDPSender {
    /// Largest UDP payload over IPv4.
    public static let maxDatagram = 65_507
    private let socket: DatagramSocket
    public let target: HostPort

    public init(target: HostPort, sendBufferBytes: Int = 4 * 1024 * 1024) throws {
        do {
            socket = try DatagramSocket(host: target.host, port: target.port, sendBufferBytes: sendBufferBytes)
        } catch {
            switch error {
            case .socket(let why): throw SendError.socket(why)
            case .resolve(_, let why), .connect(_, let why): throw SendError.resolve(target, why)
            }
        }
        self.target = target
    }

    /// Sends one datagram. Returns false when the datagram was not sent.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for _ in 0..<1_000 {
            switch socket.send(bytes) {
            case 0: return true
            case ECONNREFUSED: continue
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
    public var localPort: Int { socket.localPort }
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
