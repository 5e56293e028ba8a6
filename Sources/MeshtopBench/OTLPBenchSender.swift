import Foundation
import MeshtopNet
import MeshtopOTLPProto
import SwiftProtobuf

/// The sending side of `meshtop bench otlp`, run in its own process: `connections` threads, each POSTing
/// `ExportTraceServiceRequest`s of `batch` spans over one keep-alive connection as fast as they are answered.
/// A 429/503 is backpressure: the same request is sent again after a short backoff, as an OTLP exporter does.
public enum OTLPBenchSender {
    public struct Totals: Sendable {
        public var spans: Int64 = 0
        public var requests: Int64 = 0
        public var retries: Int64 = 0
        /// Spans in requests that got neither 200 nor a retryable answer (lost).
        public var failed: Int64 = 0

        static func + (a: Totals, b: Totals) -> Totals {
            Totals(
                spans: a.spans + b.spans, requests: a.requests + b.requests, retries: a.retries + b.retries,
                failed: a.failed + b.failed)
        }
    }

    public static func run(target: HostPort, connections: Int, batch: Int, micros: Int64, seed: UInt64) throws
        -> Totals
    {
        let template = try OTLPBenchBody(batch: batch, seed: seed)
        let totals = TotalsBox()
        let deadline = monotonicMicros() + micros
        let group = DispatchGroup()
        for c in 0..<max(1, connections) {
            group.enter()
            Thread.detachNewThread {
                let mine = send(template, to: target, connection: UInt64(c), deadline: deadline)
                totals.add(mine)
                group.leave()
            }
        }
        group.wait()
        return totals.value
    }

    /// The connections' totals, added up as each thread ends.
    private final class TotalsBox: @unchecked Sendable {
        private let lock = NSLock()
        private var sum = Totals()

        func add(_ t: Totals) { lock.withLock { sum = sum + t } }
        var value: Totals { lock.withLock { sum } }
    }

    static func monotonicMicros() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000) }

    private static func send(_ template: OTLPBenchBody, to target: HostPort, connection: UInt64, deadline: Int64)
        -> Totals
    {
        var body = template
        var totals = Totals()
        let client = HTTPPostClient(host: target.host, port: target.port, timeoutSeconds: 30)
        var sequence: UInt64 = 0
        while monotonicMicros() < deadline {
            sequence += 1
            body.stamp(connection << 40 | sequence)
            var backoffMicros: UInt32 = 1_000
            while true {
                totals.requests += 1
                let response = try? client.post(
                    path: "/v1/traces", contentType: "application/x-protobuf", body: body.bytes)
                if response?.status == 200 {
                    totals.spans += Int64(template.spans)
                    break
                }
                guard let response, response.isRetryable else {
                    totals.failed += Int64(template.spans)
                    break
                }
                totals.retries += 1
                usleep(backoffMicros)
                backoffMicros = min(backoffMicros * 2, 50_000)
            }
        }
        return totals
    }
}

/// One encoded request body of `batch` spans (traces of 8 spans across frontend → orders → payments, inventory),
/// whose trace ids are rewritten in place before each send so every request carries new traces without
/// encoding again (the sender must not compete for CPU with the collector it measures).
struct OTLPBenchBody {
    private(set) var bytes: [UInt8]
    let spans: Int
    /// Offsets of the second half (8 bytes) of every trace id occurrence: the per-request sequence number.
    private let stampOffsets: [Int]

    init(batch: Int, seed: UInt64) throws {
        let traces = max(1, batch / 8)
        var rng = seed | 1
        func next() -> UInt64 {
            rng ^= rng << 13
            rng ^= rng >> 7
            rng ^= rng << 17
            return rng
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
        var byService: [String: [Opentelemetry_Proto_Trace_V1_Span]] = [:]
        var traceIDs: [[UInt8]] = []
        for t in 0..<traces {
            // First half unique per trace in the body; the second half is the request's stamp.
            let traceID =
                Self.bytes(0xA5A5_0000_0000_0000 | UInt64(t) << 16 | (next() & 0xFFFF)) + Self.bytes(0)
            traceIDs.append(traceID)
            let start = now - UInt64(t) * 1_000_000
            let failing = next() % 50 == 0
            var spanIDs: [[UInt8]] = []
            for _ in 0..<8 { spanIDs.append(Self.bytes(next() | 1)) }
            for (i, s) in BenchTrace.steps.enumerated() {
                let error = failing && s.failsWithTrace
                var span = Opentelemetry_Proto_Trace_V1_Span()
                span.traceID = Data(traceID)
                span.spanID = Data(spanIDs[i])
                if let p = s.parent { span.parentSpanID = Data(spanIDs[p]) }
                span.name = s.name
                span.kind = Opentelemetry_Proto_Trace_V1_Span.SpanKind(rawValue: s.kind.rawValue) ?? .unspecified
                span.startTimeUnixNano = start + UInt64(s.offsetMicros) * 1_000
                span.endTimeUnixNano = span.startTimeUnixNano + UInt64(s.durationMicros) * 1_000 + next() % 2_000_000
                var attributes = [
                    Self.attribute("http.request.method", string: s.name.hasPrefix("GET") ? "GET" : "POST"),
                    Self.attribute("http.route", string: s.name),
                    Self.attribute("http.response.status_code", int: error ? 500 : 200),
                ]
                if let peer = s.peer { attributes.append(Self.attribute("peer.service", string: peer)) }
                if s.name.hasPrefix("SELECT") {
                    attributes.append(Self.attribute("db.system", string: "postgresql"))
                }
                span.attributes = attributes
                if error {
                    span.status.code = .error
                    span.status.message = "card declined"
                }
                byService[s.service, default: []].append(span)
            }
        }
        var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        for (service, spans) in byService.sorted(by: { $0.key < $1.key }) {
            var resource = Opentelemetry_Proto_Trace_V1_ResourceSpans()
            resource.resource.attributes = [
                Self.attribute("service.name", string: service),
                Self.attribute("telemetry.sdk.name", string: "meshtop-bench"),
            ]
            var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
            scope.scope.name = "bench." + service
            scope.spans = spans
            resource.scopeSpans = [scope]
            request.resourceSpans.append(resource)
        }
        bytes = try request.serializedBytes()
        spans = traces * 8
        var offsets: [Int] = []
        for id in traceIDs {
            let head = Array(id.prefix(8))
            var i = 0
            while i + 16 <= bytes.count {
                if bytes[i] == head[0], Array(bytes[i..<(i + 8)]) == head {
                    offsets.append(i + 8)
                    i += 16
                } else {
                    i += 1
                }
            }
        }
        stampOffsets = offsets
    }

    /// Writes `sequence` into the second half of every trace id.
    mutating func stamp(_ sequence: UInt64) {
        let b = Self.bytes(sequence)
        for o in stampOffsets {
            for k in 0..<8 { bytes[o + k] = b[k] }
        }
    }

    private static func bytes(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }

    private static func attribute(_ key: String, string: String) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var kv = Opentelemetry_Proto_Common_V1_KeyValue()
        kv.key = key
        kv.value.stringValue = string
        return kv
    }

    private static func attribute(_ key: String, int: Int64) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var kv = Opentelemetry_Proto_Common_V1_KeyValue()
        kv.key = key
        kv.value.intValue = int
        return kv
    }
}
