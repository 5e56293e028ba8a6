import MeshtopModel
import MeshtopNet
import MeshtopWire

/// Encodes a simulated batch in each service's wire formats and sends it over UDP, packed the way real
/// clients pack: Zipkin JSON arrays and Jaeger `emitBatch` per service, syslog one message per datagram,
/// JSON/logfmt/StatsD lines joined with `\n` up to 1432 bytes (DogStatsD's optimal payload).
public final class DemoSender: @unchecked Sendable {
    // Used from one pacing loop only.
    let lines: DatagramSocket
    let jaeger: DatagramSocket
    public private(set) var datagrams = 0
    /// Datagrams the kernel refused (e.g. nobody listening yet); counted, not thrown.
    public private(set) var failures = 0
    static let linePayload = 1432
    static let spansPerDatagram = 40

    public init(linesHost: String, linesPort: UInt16, jaegerHost: String, jaegerPort: UInt16) throws {
        lines = try DatagramSocket(host: linesHost, port: Int(linesPort))
        jaeger = try DatagramSocket(host: jaegerHost, port: Int(jaegerPort))
    }


    public func send(_ batch: SimulatedBatch, transport: (String) -> ServiceTransport) {
        var spansByService: [String: [Span]] = [:]
        for s in batch.spans { spansByService[s.service, default: []].append(s) }
        for (service, spans) in spansByService.sorted(by: { $0.key < $1.key }) {
            var i = 0
            while i < spans.count {
                let chunk = Array(spans[i..<min(i + Self.spansPerDatagram, spans.count)])
                switch transport(service).spans {
                case .zipkin: emit(lines, ZipkinEncoder.encode(chunk))
                case .jaeger: emit(jaeger, JaegerThriftEncoder.emitBatch(service: service, spans: chunk))
                }
                i += Self.spansPerDatagram
            }
        }
        var packer = LinePacker(limit: Self.linePayload)
        for r in batch.logs {
            switch transport(r.service).logs {
            case .syslog: emit(lines, SyslogEncoder.rfc5424(r, appName: r.service))
            case .json: packer.add(JSONLogEncoder.line(r), flush: { emit(lines, $0) })
            case .logfmt: packer.add(LogfmtEncoder.line(r), flush: { emit(lines, $0) })
            }
        }
        for m in batch.metrics {
            var sample = m
            if transport(m.service).metrics == .statsd { sample.tags = [] }
            packer.add(StatsDEncoder.line(sample), flush: { emit(lines, $0) })
        }
        packer.finish(flush: { emit(lines, $0) })
    }

    private func emit(_ socket: DatagramSocket, _ bytes: [UInt8]) {
        if socket.send(bytes) != 0 { failures += 1 }
        datagrams += 1
    }
}

/// Joins lines with `\n` into datagrams of at most `limit` bytes.
struct LinePacker {
    let limit: Int
    var buffer: [UInt8] = []

    mutating func add(_ line: String, flush: ([UInt8]) -> Void) {
        let bytes = Array(line.utf8)
        if !buffer.isEmpty && buffer.count + 1 + bytes.count > limit {
            flush(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        if !buffer.isEmpty { buffer.append(UInt8(ascii: "\n")) }
        buffer.append(contentsOf: bytes)
    }

    mutating func finish(flush: ([UInt8]) -> Void) {
        if !buffer.isEmpty { flush(buffer) }
        buffer.removeAll()
    }
}
