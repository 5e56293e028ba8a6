import MeshtopNet
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Binds one HTTP/1.1 receiver (OTLP/HTTP or Zipkin): keep-alive and pipelining from NIO's server pipeline, gzip and
/// deflate request bodies inflated by `NIOHTTPRequestDecompressor` under the size limit, clients outside `--allow`
/// closed at once and counted as `denied`, and at most `maxConnections` open at a time (more are closed on accept).
/// `reusePort`: `SO_REUSEPORT`, so that other collectors of this user can listen on the same port (`--reuse-port`).
enum HTTPIngestServer {
    static func bind(
        _ address: HostPort, routes: any HTTPIngestRoutes, limits: HTTPLimits, maxConnections: Int,
        allow: [CIDR], reusePort: Bool = false, sink: IngestSink, group: any EventLoopGroup
    ) async throws -> any Channel {
        let open = NIOLockedValueBox(0)
        let name = routes.name
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: reusePort ? 1 : 0)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                if let remote = channel.remoteAddress, !allow.isEmpty,
                    !CIDR.allows(remote, in: allow)
                {
                    sink.count(["denied": 1])
                    return channel.close()
                }
                let admitted = open.withLockedValue { n -> Bool in
                    guard n < maxConnections else { return false }
                    n += 1
                    return true
                }
                guard admitted else {
                    sink.count(["\(name).connections_refused": 1])
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(NIOHTTPRequestDecompressor(limit: .size(limits.maxBodyBytes)))
                    try sync.addHandler(HTTPIngestHandler(routes: routes, limits: limits, sink: sink))
                }
            }
        return try await bootstrap.bind(host: address.host, port: address.port).get()
    }
}

extension CIDR {
    /// Whether a connection's source address lies in one of the `--allow` networks.
    static func allows(_ address: SocketAddress, in allow: [CIDR]) -> Bool {
        guard let text = address.ipAddress, let bytes = addressBytes(text) else { return false }
        return allow.contains { $0.contains(bytes) }
    }
}
