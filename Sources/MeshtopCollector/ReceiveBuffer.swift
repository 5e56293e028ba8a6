import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Sizes a listener's kernel receive buffer so bursts survive while the event loop is busy decoding.
enum ReceiveBuffer {
    /// Asks for `bytes`; on Linux `SO_RCVBUFFORCE` (root) goes past `net.core.rmem_max`, else `SO_RCVBUF` is
    /// capped by it. Logs the size obtained.
    static func enlarge(_ channel: any Channel, to bytes: Int, logger: Logger) async {
        guard bytes > 0 else { return }
        let value = SocketOptionValue(bytes)
        var done = false
        #if os(Linux)
        let force = ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_RCVBUFFORCE))
        done = (try? await channel.setOption(force, value: value).get()) != nil
        #endif
        if !done { try? await channel.setOption(ChannelOptions.socketOption(.so_rcvbuf), value: value).get() }
        let got = try? await channel.getOption(ChannelOptions.socketOption(.so_rcvbuf)).get()
        let size = got.map(String.init) ?? "?"
        logger.debug("receive buffer \(size) bytes on \(String(describing: channel.localAddress))")
    }
}
