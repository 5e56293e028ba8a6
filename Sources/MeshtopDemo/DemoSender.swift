import MeshtopModel
import MeshtopNet
import MeshtopWire

/// Encodes a simulated batch in each service's wire formats and sends it, packed the way real clients pack:
/// over UDP, Zipkin JSON arrays and Jaeger `emitBatch` per service, syslog one message per datagram, JSON/logfmt/
/// StatsD lines joined with `\n` up to 1432 bytes (DogStatsD's optimal payload); over OTLP/HTTP and OTLP/gRPC,
/// one export request per signal per step for all the services on that transport (an SDK's batch processor
/// exports on a schedule the same way), one resource per service. Without an OTLP exporter, services configured
/// for it fall back to Zipkin JSON and JSON log lines over UDP.
public final class DemoSender: @unchecked Sendable {
    // Used from one pacing loop only (the gRPC exporter is itself thread-safe: `shutdown` may come from elsewhere).
    let lines: DatagramSocket
    let jaeger: DatagramSocket
    public let otlpHTTP: OTLPHTTPExporter?
    public let otlpGRPC: OTLPGRPCExporter?
    public private(set) var datagrams = 0
    /// Datagrams the kernel refused (e.g. nobody listening yet); counted, not thrown.
    public private(set) var failures = 0
    static let linePayload = 1432
    static let spansPerDatagram = 40

    public init(
        linesHost: String, linesPort: UInt16, jaegerHost: String, jaegerPort: UInt16,
        otlpHTTP: OTLPHTTPExporter? = nil, otlpGRPC: OTLPGRPCExporter? = nil
    ) throws {
        lines = try DatagramSocket(host: linesHost, port: Int(linesPort))
        jaeger = try DatagramSocket(host: jaegerHost, port: Int(jaegerPort))
        self.otlpHTTP = otlpHTTP
        self.otlpGRPC = otlpGRPC
    }

    public func send(_ batch: SimulatedBatch, transport: (String) -> ServiceTransport) {
        var spansByService: [String: [Span]] = [:]
        for s in batch.spans { spansByService[s.service, default: []].append(s) }
        var httpSpans: [Span] = []
        var grpcSpans: [Span] = []
        for (service, spans) in spansByService.sorted(by: { $0.key < $1.key }) {
            switch transport(service).spans {
            case .otlpHTTP where otlpHTTP != nil: httpSpans += spans
            case .otlpGRPC where otlpGRPC != nil: grpcSpans += spans
            case .jaeger: emitUDP(spans, to: jaeger) { JaegerThriftEncoder.emitBatch(service: service, spans: $0) }
            default: emitUDP(spans, to: lines) { ZipkinEncoder.encode($0) }
            }
        }
        var httpLogs: [LogRecord] = []
        var grpcLogs: [LogRecord] = []
        var packer = DatagramPacker(limit: Self.linePayload)
        for r in batch.logs {
            switch transport(r.service).logs {
            case .otlpHTTP where otlpHTTP != nil: httpLogs.append(r)
            case .otlpGRPC where otlpGRPC != nil: grpcLogs.append(r)
            case .syslog: emit(lines, SyslogEncoder.rfc5424(r, appName: r.service))
            case .logfmt: packer.add(LogfmtEncoder.line(r).utf8, emit: { emit(lines, $0) })
            default: packer.add(JSONLogEncoder.line(r).utf8, emit: { emit(lines, $0) })
            }
        }
        for m in batch.metrics {
            var sample = m
            if transport(m.service).metrics == .statsd { sample.tags = [] }
            packer.add(StatsDEncoder.line(sample).utf8, emit: { emit(lines, $0) })
        }
        packer.flush(emit: { emit(lines, $0) })
        if !grpcSpans.isEmpty { otlpGRPC?.export(spans: grpcSpans) }
        if !grpcLogs.isEmpty { otlpGRPC?.export(logs: grpcLogs) }
        if let http = otlpHTTP {
            if !httpSpans.isEmpty { http.export(spans: httpSpans) }
            if !httpLogs.isEmpty { http.export(logs: httpLogs) }
            http.flush()
        }
    }

    /// Spans of one service over UDP, `spansPerDatagram` at a time.
    private func emitUDP(_ spans: [Span], to socket: DatagramSocket, encode: ([Span]) -> [UInt8]) {
        for chunk in spans.chunked(Self.spansPerDatagram) { emit(socket, encode(chunk)) }
    }

    private func emit(_ socket: DatagramSocket, _ bytes: [UInt8]) {
        if socket.send(bytes) != 0 { failures += 1 }
        datagrams += 1
    }
}
