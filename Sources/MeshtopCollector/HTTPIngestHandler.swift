import Foundation
import MeshtopNet
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// One HTTP request as a receiver sees it: the body is whole and already gunzipped.
struct HTTPIngestRequest {
    var method: HTTPMethod
    var path: String
    /// The media type, lower-cased, without parameters (`application/x-protobuf`); empty when absent.
    var contentType: String
    var body: ByteBuffer
    /// The `Accept` header, lower-cased (`/metrics` answers OpenMetrics when asked).
    var accept: String = ""
    /// `host:port` of the client, for rejected-line samples.
    var source: String
}

/// What a receiver answers.
struct HTTPIngestResponse {
    var status: HTTPResponseStatus
    var contentType: String?
    var body: [UInt8] = []
    var headers: [(String, String)] = []

    static func text(_ status: HTTPResponseStatus, _ message: String, headers: [(String, String)] = [])
        -> HTTPIngestResponse
    {
        HTTPIngestResponse(
            status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8),
            headers: headers)
    }
}

/// A receiver's request handling: pure with respect to HTTP (the handler below does the protocol).
protocol HTTPIngestRoutes: Sendable {
    /// Receiver name used in counters (`otlp_http`, `zipkin`).
    var name: String { get }
    /// Answers one complete request; runs on the connection's event loop.
    func respond(to request: HTTPIngestRequest) -> HTTPIngestResponse
}

/// Limits shared by every HTTP receiver.
struct HTTPLimits: Sendable {
    /// Largest request body, counted after decompression too (no gzip bomb).
    var maxBodyBytes: Int
    /// How long a connection may take to send a complete request head, counted from connecting or from the end
    /// of the previous response (so it is also the keep-alive idle timeout). A client that trickles headers one
    /// byte a second is closed when it runs out.
    var headerTimeout: TimeAmount = .seconds(10)
    /// How long a request body may take once its head has arrived.
    var bodyTimeout: TimeAmount = .seconds(60)
}

/// HTTP/1.1 server side of one connection, after NIO's codec and request decompressor: collects a bounded body,
/// enforces the head and body deadlines, hands the complete request to the routes and writes their answer. Answers
/// 413 (and closes) as soon as a declared or received (decompressed) body passes the limit, 400 for a body that
/// does not inflate.
final class HTTPIngestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: any HTTPIngestRoutes
    private let limits: HTTPLimits
    private let sink: IngestSink
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// The rest of this request is ignored (an answer was already sent and the connection closes after it).
    private var discarding = false
    private var deadline: Scheduled<Void>?
    private var source = "?"

    init(routes: any HTTPIngestRoutes, limits: HTTPLimits, sink: IngestSink) {
        self.routes = routes
        self.limits = limits
        self.sink = sink
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let remote = context.channel.remoteAddress {
            source = HostPort(host: remote.ipAddress ?? "?", port: remote.port ?? 0).description
        }
        if context.channel.isActive { arm(context, limits.headerTimeout, "request head") }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, limits.headerTimeout, "request head")
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = nil
            discarding = false
            arm(context, limits.bodyTimeout, "request body")
            if let declared = h.headers.first(name: "content-length").flatMap(Int.init), declared > limits.maxBodyBytes
            {
                refuse(
                    context, .payloadTooLarge,
                    "request body of \(declared) bytes is over the limit of "
                        + "\(limits.maxBodyBytes) bytes (--max-request-size)")
                return
            }
            if h.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: .continue))), promise: nil)
            }
        case .body(var part):
            guard !discarding else { return }
            if body == nil {
                body = part
            } else {
                body!.writeBuffer(&part)
            }
            if body!.readableBytes > limits.maxBodyBytes {
                refuse(
                    context, .payloadTooLarge,
                    "request body is over the limit of \(limits.maxBodyBytes) bytes "
                        + "(--max-request-size; decompressed size counts)")
            }
        case .end:
            guard !discarding, let h = head else {
                discarding = false
                return
            }
            let request = HTTPIngestRequest(
                method: h.method, path: Self.path(h.uri), contentType: Self.mediaType(h.headers),
                body: body ?? ByteBuffer(), accept: h.headers.first(name: "accept")?.lowercased() ?? "",
                source: source)
            body = nil
            let response = routes.respond(to: request)
            var counters = [
                "\(routes.name).requests": Int64(1), "\(routes.name).status_\(response.status.code / 100)xx": 1,
            ]
            if response.headers.contains(where: { $0.0 == "Retry-After" }) {
                counters["\(routes.name).retry_after"] = 1
            }
            sink.count(counters)
            write(context, response, keepAlive: h.isKeepAlive)
            head = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let e = error as? NIOHTTPDecompression.DecompressionError, e == .limit {
            refuse(
                context, .payloadTooLarge,
                "decompressed request body is over the limit of "
                    + "\(limits.maxBodyBytes) bytes (--max-request-size)")
        } else if error is NIOHTTPDecompression.DecompressionError
            || error is NIOHTTPDecompression.ExtraDecompressionError
        {
            refuse(context, .badRequest, "request body does not decompress (Content-Encoding): \(error)")
        } else {
            context.close(promise: nil)
        }
    }

    /// Answers now and closes the connection after the answer; whatever else the client sends is ignored.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ message: String) {
        guard !discarding else { return }
        discarding = true
        body = nil
        let version = head?.version ?? .http1_1
        head = nil
        sink.count([
            "\(routes.name).requests": 1, "\(routes.name).status_\(status.code / 100)xx": 1,
        ])
        write(context, .text(status, message), keepAlive: false, version: version)
    }

    private func write(
        _ context: ChannelHandlerContext, _ response: HTTPIngestResponse, keepAlive: Bool,
        version: HTTPVersion? = nil
    ) {
        var headers = HTTPHeaders()
        if let type = response.contentType { headers.add(name: "Content-Type", value: type) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let v = version ?? head?.version ?? .http1_1
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: v, status: response.status, headers: headers))),
            promise: nil)
        if !response.body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if keepAlive {
            arm(context, limits.headerTimeout, "request head")
        } else {
            deadline?.cancel()
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// (Re)starts the one deadline this connection has: when it passes, the connection is closed.
    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount, _ what: String) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }

    /// The path without query string.
    static func path(_ uri: String) -> String {
        if let q = uri.firstIndex(of: "?") { return String(uri[..<q]) }
        return uri
    }

    /// `application/json; charset=utf-8` → `application/json`.
    static func mediaType(_ headers: HTTPHeaders) -> String {
        guard let value = headers.first(name: "content-type") else { return "" }
        let type = value.split(separator: ";", maxSplits: 1).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
