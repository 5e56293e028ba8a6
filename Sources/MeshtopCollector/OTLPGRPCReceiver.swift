import GRPCCore
import GRPCNIOTransportHTTP2Posix
import MeshtopModel
import MeshtopNet
import MeshtopOTLP
import MeshtopOTLPProto
import NIOCore
import NIOPosix

/// OTLP/gRPC with grpc-swift 2 on the collector's event loops: the trace, logs and metrics `Export` services, gzip
/// and deflate accepted, requests over `--max-request-size` refused by the transport. A full ingest queue or a
/// stopping collector answers `UNAVAILABLE` (retryable for OTLP exporters; `RESOURCE_EXHAUSTED` is retryable only
/// with RetryInfo, so UNAVAILABLE is the one every SDK retries); an undecodable request `INVALID_ARGUMENT`; a peer
/// outside `--allow` `PERMISSION_DENIED`. Counters: `otlp_grpc.requests`, `.items`, `.rejected`, `.status_2xx`
/// (OK), `.status_4xx` (invalid, denied), `.status_5xx` and `.retry_after` (unavailable).
final class OTLPGRPCReceiver: Sendable {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix
    private let serving: Task<Void, any Error>

    /// Binds and starts serving; throws when the address cannot be bound.
    init(
        address: HostPort, ingest: OTLPIngest, allow: [CIDR], maxRequestBytes: Int, group: MultiThreadedEventLoopGroup
    ) async throws {
        let socket: GRPCNIOTransportCore.SocketAddress =
            address.host.contains(":")
            ? .ipv6(host: address.host, port: address.port) : .ipv4(host: address.host, port: address.port)
        let transport = HTTP2ServerTransport.Posix(
            address: socket, transportSecurity: .plaintext,
            config: .defaults {
                $0.compression.enabledAlgorithms = .all
                $0.rpc.maxRequestPayloadSize = maxRequestBytes
            },
            eventLoopGroup: group)
        let gate = OTLPGRPCGate(ingest: ingest, allow: allow)
        let server = GRPCServer(
            transport: transport,
            services: [OTLPTraceService(gate: gate), OTLPLogsService(gate: gate), OTLPMetricsService(gate: gate)])
        self.server = server
        self.transport = transport
        serving = Task { try await server.serve() }
        do {
            _ = try await transport.listeningAddress
        } catch {
            // The transport only says it stopped; why (the bind's error) is what `serve()` ended with.
            serving.cancel()
            if case .failure(let cause) = await serving.result {
                // grpc-swift wraps the socket's error in a `RuntimeError`: the `IOError` says what to do.
                if let runtime = cause as? RuntimeError, let io = runtime.cause as? IOError { throw io }
                throw cause
            }
            throw error
        }
    }

    /// The bound address (port 0 resolved).
    func boundAddress() async -> HostPort? {
        guard let a = try? await transport.listeningAddress else { return nil }
        if let v4 = a.ipv4 { return HostPort(host: v4.host, port: v4.port) }
        if let v6 = a.ipv6 { return HostPort(host: v6.host, port: v6.port) }
        return nil
    }

    /// Stops accepting RPCs and waits for those in flight.
    func stop() async {
        server.beginGracefulShutdown()
        _ = try? await serving.value
    }
}

/// What every OTLP gRPC method does around its decoding: the allow-list, ingest, the status and its counters.
struct OTLPGRPCGate: Sendable {
    let ingest: OTLPIngest
    let allow: [CIDR]

    func handle(
        _ signal: OTLPSignal, context: ServerContext,
        decode: (inout CumulativeToDelta, Int64) throws -> OTLPDecoded
    ) throws -> OTLPDecoded {
        let sink = ingest.sink
        func finish(_ status: String, retry: Bool = false) {
            var counters: [String: Int64] = ["otlp_grpc.requests": 1, "otlp_grpc.status_\(status)": 1]
            if retry { counters["otlp_grpc.retry_after"] = 1 }
            sink.count(counters)
        }
        if !allow.isEmpty {
            let host = Self.host(ofPeer: context.remotePeer)
            guard let host, let bytes = CIDR.addressBytes(host), allow.contains(where: { $0.contains(bytes) }) else {
                sink.count(["denied": 1])
                finish("4xx")
                throw RPCError(code: .permissionDenied, message: "source not allowed (--allow)")
            }
        }
        guard sink.queue.hasRoom(for: 1) else {
            finish("5xx", retry: true)
            throw RPCError(code: .unavailable, message: "ingest queue full, retry later")
        }
        let decoded: OTLPDecoded
        let outcome: IngestSink.Outcome
        do {
            (decoded, outcome) = try ingest.ingest(signal, source: context.remotePeer, bytes: nil, decode: decode)
        } catch {
            finish("4xx")
            throw RPCError(code: .invalidArgument, message: "undecodable OTLP request: \(error)")
        }
        guard outcome == .stored else {
            finish("5xx", retry: true)
            throw RPCError(
                code: .unavailable, message: outcome == .full ? "ingest queue full, retry later" : "collector stopping")
        }
        finish("2xx")
        return decoded
    }

    /// `ipv4:127.0.0.1:5000` / `ipv6:[::1]:5000` → the address text.
    static func host(ofPeer peer: String) -> String? {
        if peer.hasPrefix("ipv4:") {
            let rest = peer.dropFirst(5)
            return rest.lastIndex(of: ":").map { String(rest[..<$0]) }
        }
        if peer.hasPrefix("ipv6:") {
            var rest = peer.dropFirst(5)
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                rest = rest[rest.index(after: rest.startIndex)..<close]
                return String(rest)
            }
            return rest.lastIndex(of: ":").map { String(rest[..<$0]) }
        }
        return nil
    }
}

struct OTLPTraceService: Opentelemetry_Proto_Collector_Trace_V1_TraceService.SimpleServiceProtocol {
    let gate: OTLPGRPCGate

    func export(request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest, context: ServerContext)
        async throws -> Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
    {
        let decoded = try gate.handle(.traces, context: context) { _, _ in OTLPRequestDecoder.records(from: request) }
        return OTLPResponse.traces(rejected: decoded.rejected, message: decoded.message)
    }
}

struct OTLPLogsService: Opentelemetry_Proto_Collector_Logs_V1_LogsService.SimpleServiceProtocol {
    let gate: OTLPGRPCGate

    func export(request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest, context: ServerContext)
        async throws -> Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse
    {
        let decoded = try gate.handle(.logs, context: context) { _, now in
            OTLPRequestDecoder.records(from: request, receivedAtMicros: now)
        }
        return OTLPResponse.logs(rejected: decoded.rejected, message: decoded.message)
    }
}

struct OTLPMetricsService: Opentelemetry_Proto_Collector_Metrics_V1_MetricsService.SimpleServiceProtocol {
    let gate: OTLPGRPCGate

    func export(request: Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest, context: ServerContext)
        async throws -> Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceResponse
    {
        let decoded = try gate.handle(.metrics, context: context) { state, _ in
            OTLPRequestDecoder.records(from: request, cumulative: &state)
        }
        return OTLPResponse.metrics(rejected: decoded.rejected, message: decoded.message)
    }
}
