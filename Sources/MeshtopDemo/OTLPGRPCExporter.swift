import GRPCCore
import GRPCNIOTransportHTTP2Posix
import MeshtopModel
import MeshtopOTLP
import MeshtopOTLPProto
import Synchronization

/// What the demo's OTLP/gRPC service sends, as an SDK's OTLP/gRPC exporter does: `TraceService/Export` and
/// `LogsService/Export` on one long-lived grpc-swift 2 client (HTTP/2 over NIO) whose connections run in a task.
///
/// The demo's pacing thread must not wait on the network, so `export` only hands the request to an `AsyncStream`
/// (bounded: when 256 requests wait, new ones are dropped and counted) and returns; one task sends them in order.
/// `UNAVAILABLE` and `RESOURCE_EXHAUSTED` (OTLP's retryable codes) and transport failures are retried up to five
/// times, 200 ms apart and doubling; other errors end the request. `shutdown()` sends what is queued, then closes.
public final class OTLPGRPCExporter: Sendable {
    typealias TraceClient = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client<HTTP2ClientTransport.Posix>
    typealias LogsClient = Opentelemetry_Proto_Collector_Logs_V1_LogsService.Client<HTTP2ClientTransport.Posix>

    enum Request: Sendable {
        case traces(OTLPRequestEncoder.TraceRequest, items: Int)
        case logs(OTLPRequestEncoder.LogsRequest, items: Int)
    }

    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let continuation: AsyncStream<Request>.Continuation
    private let connections: Task<Void, Never>
    private let worker: Task<Void, Never>
    private let state: CountsBox

    /// A client for the collector's OTLP/gRPC address (an IP address: the demo's collector is on loopback).
    public init(host: String, port: Int) throws {
        let target: any ResolvableTarget =
            host.contains(":") ? .ipv6(address: host, port: port) : .ipv4(address: host, port: port)
        let transport = try HTTP2ClientTransport.Posix(target: target, transportSecurity: .plaintext)
        let client = GRPCClient(transport: transport)
        let state = CountsBox()
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingOldest(256))
        self.client = client
        self.continuation = continuation
        self.state = state
        connections = Task { try? await client.runConnections() }
        worker = Task {
            let traces = TraceClient(wrapping: client)
            let logs = LogsClient(wrapping: client)
            for await request in stream {
                let (items, outcome) = await Self.send(request, traces: traces, logs: logs, state: state)
                state.counts.withLock { counts in
                    switch outcome {
                    case .sent:
                        counts.requests += 1
                        counts.items += items
                    case .refused: counts.refused += items
                    case .failed: counts.failures += 1
                    }
                }
            }
        }
    }

    deinit {
        continuation.finish()
        client.beginGracefulShutdown()
    }

    /// Queues the spans (one request per 512) without waiting.
    public func export(spans: [Span]) {
        for chunk in spans.chunked(OTLPExportCounts.batch) {
            submit(.traces(OTLPRequestEncoder.traces(chunk), items: chunk.count), items: chunk.count)
        }
    }

    /// Queues the log records (one request per 512) without waiting.
    public func export(logs: [LogRecord]) {
        for chunk in logs.chunked(OTLPExportCounts.batch) {
            submit(.logs(OTLPRequestEncoder.logs(chunk), items: chunk.count), items: chunk.count)
        }
    }

    public var counts: OTLPExportCounts { state.counts.withLock { $0 } }

    /// The counts, shared by the exporter and its sending task.
    final class CountsBox: Sendable {
        let counts = Mutex(OTLPExportCounts())
    }

    /// Sends what is queued, then closes the connection.
    public func shutdown() async {
        continuation.finish()
        await worker.value
        client.beginGracefulShutdown()
        await connections.value
    }

    private func submit(_ request: Request, items: Int) {
        if case .dropped = continuation.yield(request) {
            state.counts.withLock { $0.dropped += items }
        }
    }

    enum Outcome { case sent, refused, failed }

    private static func send(
        _ request: Request, traces: TraceClient, logs: LogsClient, state: CountsBox
    ) async -> (Int, Outcome) {
        var delay: UInt64 = 200_000_000
        let items: Int
        switch request {
        case .traces(_, let n), .logs(_, let n): items = n
        }
        for attempt in 0..<6 {
            do {
                switch request {
                case .traces(let message, _): _ = try await traces.export(message)
                case .logs(let message, _): _ = try await logs.export(message)
                }
                return (items, .sent)
            } catch let error as RPCError where ![.unavailable, .resourceExhausted].contains(error.code) {
                return (items, .refused)
            } catch {
                guard attempt < 5, !Task.isCancelled else { break }
                state.counts.withLock { $0.retries += 1 }
                try? await Task.sleep(nanoseconds: delay)
                delay *= 2
            }
        }
        return (items, .failed)
    }
}
