import Foundation
import MeshtopModel
import Testing

@testable import MeshtopWire

/// Fixture access shared by the span decoder tests.
enum SpanFixtures {
    static func url(_ name: String) throws -> URL {
        let dot = name.lastIndex(of: ".")!
        let base = String(name[..<dot])
        let ext = String(name[name.index(after: dot)...])
        return try #require(Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures"))
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(name)))
    }

    /// A `.datagrams` file: one lowercase-hex datagram per line.
    static func datagrams(_ name: String) throws -> [[UInt8]] {
        let text = String(decoding: try bytes(name), as: UTF8.self)
        return text.split(separator: "\n").map { line in
            var out: [UInt8] = []
            var it = line.utf8.makeIterator()
            while let hi = it.next(), let lo = it.next() {
                out.append(UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16)!)
            }
            return out
        }
    }

    /// The SDK's own finished spans (`trace_truth.json` / `jaeger_thrift_split_truth.json`).
    struct Truth {
        var service, name, kind, traceID, spanID: String
        var parentID: String?
        var startMicros, durationMicros: Int64
        var status: String
    }

    static func truth(_ name: String) throws -> [Truth] {
        let root = try JSONSerialization.jsonObject(with: Data(bytes(name))) as! [String: Any]
        return (root["spans"] as! [[String: Any]]).map { s in
            Truth(
                service: s["service"] as! String, name: s["name"] as! String, kind: s["kind"] as! String,
                traceID: s["trace_id"] as! String, spanID: s["span_id"] as! String,
                parentID: s["parent_span_id"] as? String,
                startMicros: (s["start_us"] as! NSNumber).int64Value,
                durationMicros: (s["duration_us"] as! NSNumber).int64Value, status: s["status_code"] as! String)
        }
    }

    /// Decodes every datagram of a Jaeger fixture and concatenates the spans.
    static func jaegerSpans(_ name: String) throws -> [Span] {
        try datagrams(name).flatMap { try JaegerThriftDecoder.decodeEmitBatch($0).get() }
    }

    /// Checks ids, parent, service, kind, name and times of decoded spans against the SDK's truth.
    static func expectMatchesTruth(_ spans: [Span], _ truth: [Truth]) {
        #expect(spans.count == truth.count)
        for t in truth {
            guard let s = spans.first(where: { $0.spanID.hex == t.spanID }) else {
                Issue.record("span \(t.spanID) missing")
                continue
            }
            #expect(s.traceID.hex == t.traceID)
            #expect(s.parentID?.hex == t.parentID)
            #expect(s.service == t.service)
            #expect(s.name == t.name)
            #expect(s.kind.name == t.kind)
            #expect(s.startMicros == t.startMicros)
            #expect(s.durationMicros == t.durationMicros)
            #expect(s.status == (t.status == "ERROR" ? .error : t.status == "OK" ? .ok : .unset))
        }
    }
}

/// Spans with every field kind, already in the canonical form a decoder produces: the tags that carry kind,
/// status and peer service are present among the attributes, so encode → decode must give them back unchanged.
enum SampleSpans {
    static let trace = TraceID(high: 0x8000_0000_0000_0001, low: 0xFFFF_FFFF_FFFF_FFFE)

    static func jaeger() -> [Span] {
        let root = Span(
            traceID: trace, spanID: SpanID(0xFD72_4452_CCEA_71FF), parentID: nil, service: "shop", name: "GET /cart",
            kind: .server, startMicros: 1_795_733_245_727_775, durationMicros: 45_500, isError: true,
            status: .error, statusMessage: "card \"declined\" ✗",
            attributes: [
                Attribute("http.method", .string("GET")), Attribute("http.status_code", .int(502)),
                Attribute("payment.amount", .double(19.99)), Attribute("payment.retry", .bool(false)),
                Attribute("big", .int(Int64.min)), Attribute("neg", .double(-0.5)),
                Attribute("span.kind", .string("server")), Attribute("otel.status_code", .string("ERROR")),
                Attribute("otel.status_description", .string("card \"declined\" ✗")),
                Attribute("error", .bool(true)),
            ],
            events: [
                SpanEvent(
                    timeMicros: 1_795_733_245_760_862, name: "card declined",
                    attributes: [Attribute("reason", .string("insufficient_funds")), Attribute("attempt", .int(1))]),
                SpanEvent(timeMicros: 1_795_733_245_760_900, name: "bare"),
                SpanEvent(
                    timeMicros: 1_795_733_245_760_901, name: "named",
                    attributes: [Attribute("message", .string("free text"))]),
            ])
        let client = Span(
            traceID: trace, spanID: SpanID(1), parentID: root.spanID, service: "shop", name: "POST pay",
            kind: .client, startMicros: 1_795_733_245_730_000, durationMicros: 0, isError: true,
            peerService: "payments",
            attributes: [
                Attribute("http.status_code", .int(404)), Attribute("peer.service", .string("payments")),
                Attribute("span.kind", .string("client")),
            ])
        let producer = Span(
            traceID: TraceID(high: 0, low: 42), spanID: SpanID(UInt64.max), parentID: SpanID(7), service: "shop",
            name: "", kind: .producer, startMicros: 0, durationMicros: 1, status: .ok,
            attributes: [
                Attribute("span.kind", .string("producer")), Attribute("otel.status_code", .string("OK")),
                Attribute("empty", .string("")), Attribute("ünïcode ✓", .string("\u{1b}[31m\n\t")),
            ])
        let internalSpan = Span(
            traceID: trace, spanID: SpanID(2), parentID: root.spanID, service: "shop", name: "local",
            kind: .internal, startMicros: 1_795_733_245_731_000, durationMicros: 3,
            attributes: [Attribute("span.kind", .string("internal"))])
        return [root, client, producer, internalSpan]
    }

    /// The same spans as a Zipkin decoder produces them: string tags, no `span.kind` tag, the status message
    /// in the `error` tag.
    static func zipkin() -> [Span] {
        jaeger().map { span in
            var s = span
            s.attributes = s.attributes.compactMap { a in
                switch a.key {
                case "span.kind", "otel.status_description": return nil
                case "error": return Attribute("error", .string(s.statusMessage ?? ""))
                default: return Attribute(a.key, .string(a.value.text))
                }
            }
            return s
        }
    }
}

@Suite struct SpanEncoderTests {
    @Test func jaegerReencodesTheExporterBytesExactly() throws {
        let grams = try SpanFixtures.datagrams("jaeger_thrift_trace.datagrams")
        for gram in grams {
            let spans = try JaegerThriftDecoder.decodeEmitBatch(gram).get()
            let again = JaegerThriftEncoder.emitBatch(service: spans[0].service, spans: spans)
            #expect(again == gram)
        }
    }

    @Test func jaegerRoundTripsEveryFieldKind() throws {
        let spans = SampleSpans.jaeger()
        let bytes = JaegerThriftEncoder.emitBatch(service: "shop", spans: spans)
        #expect(try JaegerThriftDecoder.decodeEmitBatch(bytes).get() == spans)
    }

    @Test func jaegerAddsExporterTagsForPlainSpans() throws {
        var span = SampleSpans.jaeger()[0]
        span.attributes = [Attribute("http.method", .string("GET"))]
        span.peerService = "db"
        let process = [Attribute("host.name", .string("vm")), Attribute("http.method", .string("dup"))]
        let bytes = JaegerThriftEncoder.emitBatch(service: "shop", spans: [span], processTags: process)
        let decoded = try #require(try JaegerThriftDecoder.decodeEmitBatch(bytes).get().first)
        #expect(
            decoded.attributes == [
                Attribute("http.method", .string("GET")), Attribute("span.kind", .string("server")),
                Attribute("otel.status_code", .string("ERROR")),
                Attribute("otel.status_description", .string("card \"declined\" ✗")),
                Attribute("peer.service", .string("db")), Attribute("error", .bool(true)),
                Attribute("host.name", .string("vm")),
            ])
        #expect(decoded.kind == .server && decoded.isError && decoded.status == .error)
        #expect(decoded.statusMessage == span.statusMessage && decoded.peerService == "db")
        #expect(decoded.events == span.events)
        // An error flag that no tag explains still survives as error=true.
        var flagged = span
        flagged.status = .unset
        flagged.statusMessage = nil
        flagged.attributes = []
        let flaggedBack = try JaegerThriftDecoder.decodeEmitBatch(
            JaegerThriftEncoder.emitBatch(service: "shop", spans: [flagged])
        ).get()
        #expect(flaggedBack.first?.isError == true)
        #expect(flaggedBack.first?.attributes[key: "error"] == .bool(true))
    }

    @Test func jaegerSplitsOversizedBatchesLikeTheExporter() throws {
        let spans = try SpanFixtures.jaegerSpans("jaeger_thrift_split.datagrams")
        let grams = JaegerThriftEncoder.emitBatches(service: "reports", spans: spans, maxBytes: 65_000)
        #expect(grams.count == 2)
        #expect(grams.allSatisfy { $0.count <= 65_000 })
        let back = try grams.flatMap { try JaegerThriftDecoder.decodeEmitBatch($0).get() }
        #expect(back == spans)
        let small = JaegerThriftEncoder.emitBatches(service: "reports", spans: spans, maxBytes: 1000)
        #expect(small.count == 13)
    }

    @Test func zipkinRoundTripsEveryFieldKind() throws {
        let spans = SampleSpans.zipkin()
        let json = try JSONParser.parse(ZipkinEncoder.encode(spans)).get()
        #expect(try ZipkinDecoder.decode(json).get() == spans)
    }

    @Test func zipkinReencodesTheExporterSpans() throws {
        let text = String(decoding: try SpanFixtures.bytes("zipkin_v2_trace.json"), as: UTF8.self)
        let spans = try ZipkinDecoder.decode(try JSONParser.parse(text).get()).get()
        let json = try JSONParser.parse(ZipkinEncoder.encode(spans)).get()
        #expect(try ZipkinDecoder.decode(json).get() == spans)
        // The encoder writes OpenTelemetry's shapes: a 64-bit trace id as 16 digits, no kind for INTERNAL.
        let sample = String(decoding: ZipkinEncoder.encode(Array(SampleSpans.zipkin()[2...])), as: UTF8.self)
        #expect(sample.hasPrefix(#"[{"traceId":"000000000000002a","id":"ffffffffffffffff","parentId":"#))
        #expect(sample.contains(#""kind":"PRODUCER""#))
        #expect(!sample.contains(#""kind":"INTERNAL""#))
        #expect(sample.contains(#""ünïcode ✓":"\u001b[31m\n\t""#))
    }

    @Test func zipkinAddsStatusTagsForPlainSpans() throws {
        var span = SampleSpans.jaeger()[0]
        span.attributes = []
        let back = try ZipkinDecoder.decode(JSONParser.parse(ZipkinEncoder.encode([span])).get()).get()
        #expect(
            back.first?.attributes == [
                Attribute("otel.status_code", .string("ERROR")), Attribute("error", .string("card \"declined\" ✗")),
            ])
        #expect(back.first?.isError == true && back.first?.statusMessage == span.statusMessage)
    }
}
