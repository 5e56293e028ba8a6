import MeshtopNet

/// The agent's link to the collector: `--to HOST:PORT` parsed (`HostPort`), over a connected `DatagramSocket`, so
/// that an ICMP port-unreachable comes back as `ECONNREFUSED` on a later send — how the agent notices the
/// collector is away.
final class UDPShipper {
    private let socket: DatagramSocket
    let destination: String

    /// Resolves `HOST:PORT` (`[v6]:PORT` too) and connects a datagram socket to it.
    init(destination: String) throws(AgentError) {
        self.destination = destination
        guard destination.contains(":") else { throw .destination(destination, "no port") }
        guard let target = HostPort(destination), target.port > 0 else {
            throw .destination(destination, "bad port")
        }
        do {
            socket = try DatagramSocket(host: target.host, port: target.port)
        } catch {
            switch error {
            case .socket(let why): throw .socket(why)
            case .resolve(_, let why): throw .destination(destination, "cannot resolve host: \(why)")
            case .connect(_, let why): throw .destination(destination, "connect(): \(why)")
            }
        }
    }

    /// Sends one datagram; returns 0 on success or the `errno` of the failure.
    func send(_ bytes: UnsafeRawBufferPointer) -> Int32 { socket.send(bytes) }
}
