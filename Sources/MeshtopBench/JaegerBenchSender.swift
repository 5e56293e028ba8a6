import Foundation
import MeshtopModel
import MeshtopNet
import MeshtopWire

/// The Jaeger-UDP side of `meshtop bench otlp --path jaeger|both`, run in its own process: the same traces as the
/// OTLP/HTTP load (8 spans across frontend → orders → payments/inventory, `batch` spans per round) encoded once
/// as Jaeger thrift compact `emitBatch` datagrams per service (split at 65,000 bytes, as the exporters do), and
/// sent paced at `rate` spans/s. UDP has no backpressure: what the collector cannot take is lost and counted.
public enum JaegerBenchSender {
    /// Distinct rounds encoded up front (each with its own trace ids), then sent in a cycle.
    static let variants = 256

    /// Sends for `micros` after encoding; returns spans and datagrams sent and the time spent sending.
    public static func run(target: HostPort, rate: Int, batch: Int, micros: Int64, seed: UInt64) throws
        -> (spans: Int64, datagrams: Int64, sendMicros: Int64)
    {
        let rounds = (0..<variants).map { datagrams(batch: batch, seed: seed, round: UInt64($0)) }
        let spansPerRound = Int64(max(1, batch / 8) * 8)
        let sender = try UDPSender(target: target, sendBufferBytes: 8 * 1024 * 1024)
        var spans: Int64 = 0
        var sent: Int64 = 0
        var round = 0
        let start = SystemClock.monotonicMicros()
        while true {
            let elapsed = SystemClock.monotonicMicros() - start
            if elapsed >= micros { break }
            let due = Int64(Double(rate) * Double(elapsed) / 1_000_000) - spans
            if due < spansPerRound {
                usleep(200)
                continue
            }
            for d in rounds[round % rounds.count] where sender.send(d) { sent += 1 }
            spans += spansPerRound
            round += 1
        }
        return (spans, sent, SystemClock.monotonicMicros() - start)
    }

    /// One round's datagrams: `batch / 8` traces of 8 spans with trace ids unique to (seed, round).
    static func datagrams(batch: Int, seed: UInt64, round: UInt64) -> [[UInt8]] {
        var random = SeededRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ round)
        let now = SystemClock.wallMicros()
        var byService: [String: [Span]] = [:]
        for t in 0..<max(1, batch / 8) {
            let trace = TraceID(high: 0xA5A5_0000_0000_0000 | seed << 32 | round << 16 | UInt64(t), low: random.next())
            let start = now - Int64(t) * 1_000
            let failing = random.next() % 50 == 0
            let ids = (0..<8).map { _ in SpanID(random.next() | 1) }
            for (i, s) in BenchTrace.steps.enumerated() {
                let error = failing && s.failsWithTrace
                var attributes = [
                    Attribute("http.request.method", .string(s.name.hasPrefix("GET") ? "GET" : "POST")),
                    Attribute("http.route", .string(s.name)),
                    Attribute("http.response.status_code", .int(error ? 500 : 200)),
                ]
                if s.name.hasPrefix("SELECT") { attributes.append(Attribute("db.system", .string("postgresql"))) }
                byService[s.service, default: []].append(
                    Span(
                        traceID: trace, spanID: ids[i], parentID: s.parent.map { ids[$0] }, service: s.service,
                        name: s.name, kind: s.kind, startMicros: start + s.offsetMicros,
                        durationMicros: s.durationMicros + Int64(random.next() % 2_000), isError: error,
                        status: error ? .error : .unset, statusMessage: error ? "card declined" : nil,
                        peerService: s.peer, attributes: attributes))
            }
        }
        return byService.sorted(by: { $0.key < $1.key }).flatMap { service, spans in
            JaegerThriftEncoder.emitBatches(
                service: service, spans: spans,
                processTags: [Attribute("telemetry.sdk.name", .string("meshtop-bench"))])
        }
    }
}
