import MeshtopModel
import MeshtopOTLP
import MeshtopOTLPProto
import Testing

/// `OTLPRequestEncoder` → `OTLPRequestDecoder` gives back the records (with the resource attributes the decoder
/// appends), both from the messages (OTLP/gRPC) and through protobuf bytes (OTLP/HTTP).
@Suite struct OTLPEncoderTests {
    static let trace = TraceID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)

    static let spans: [Span] = [
        Span(
            traceID: trace, spanID: SpanID(0x11), parentID: nil, service: "gateway", name: "POST /checkout",
            kind: .server, startMicros: 1_700_000_000_000_000, durationMicros: 12_345, isError: true, status: .error,
            statusMessage: "dependency failed",
            attributes: [
                Attribute("http.method", .string("POST")), Attribute("http.status_code", .int(502)),
                Attribute("ratio", .double(0.25)), Attribute("cached", .bool(false)),
                Attribute("tags", .array([.string("a"), .int(2)])),
                Attribute("user", .map([Attribute("id", .int(7))])),
            ],
            events: [
                SpanEvent(
                    timeMicros: 1_700_000_000_001_000, name: "retry", attributes: [Attribute("attempt", .int(1))])
            ]),
        Span(
            traceID: trace, spanID: SpanID(0xffff_0000_0000_0022), parentID: SpanID(0x11), service: "gateway",
            name: "POST /orders", kind: .client, startMicros: 1_700_000_000_000_500, durationMicros: 9_000,
            isError: false, status: .ok, peerService: "orders",
            attributes: [Attribute("peer.service", .string("orders"))]),
        Span(
            traceID: trace, spanID: SpanID(0x33), parentID: SpanID(0x22), service: "orders", name: "publish order",
            kind: .producer, startMicros: 1_700_000_000_001_000, durationMicros: 300, peerService: "notifications"),
    ]

    static let logs: [LogRecord] = [
        LogRecord(
            timeMicros: 1_700_000_000_002_000, service: "payments", host: "payments-1", severity: .error,
            message: "POST /charge failed with status 500", traceID: trace, spanID: SpanID(0x44),
            attributes: [Attribute("status", .int(500))]),
        LogRecord(
            timeMicros: 1_700_000_000_003_000, service: "orders", host: "", severity: .info, message: "order placed"),
        LogRecord(
            timeMicros: 1_700_000_000_004_000, service: "payments", host: "payments-1", severity: .warning,
            message: "slow bank", attributes: [Attribute("duration_ms", .double(812.5))]),
    ]

    /// What the decoder gives for `s`: the resource's `service.name` appended, and `peer.service` from the model's
    /// peer when the attributes lacked it.
    func expected(_ s: Span) -> Span {
        var e = s
        if let peer = s.peerService, s.attributes[key: "peer.service"] == nil {
            e.attributes.append(Attribute("peer.service", .string(peer)))
        }
        e.attributes.append(Attribute("service.name", .string(s.service)))
        return e
    }

    func expected(_ l: LogRecord) -> LogRecord {
        var e = l
        e.attributes.append(Attribute("service.name", .string(l.service)))
        if !l.host.isEmpty { e.attributes.append(Attribute("host.name", .string(l.host))) }
        return e
    }

    @Test func spansRoundTrip() throws {
        let request = OTLPRequestEncoder.traces(Self.spans)
        #expect(request.resourceSpans.count == 2, "one resource per service")
        let decoded = OTLPRequestDecoder.records(from: request)
        #expect(decoded.rejected == 0)
        #expect(decoded.records.compactMap(\.span) == Self.spans.map(expected))

        var cumulative = CumulativeToDelta()
        let fromBytes = try OTLPRequestDecoder.decode(
            .traces, body: OTLPRequestEncoder.body(request), encoding: .protobuf, receivedAtMicros: 0,
            cumulative: &cumulative)
        #expect(fromBytes.records.compactMap(\.span) == Self.spans.map(expected))
    }

    @Test func logsRoundTrip() throws {
        let request = OTLPRequestEncoder.logs(Self.logs)
        #expect(request.resourceLogs.count == 2, "grouped by service and host")
        let decoded = OTLPRequestDecoder.records(from: request, receivedAtMicros: 42)
        #expect(decoded.rejected == 0)
        // Grouping puts both payments records first.
        let want = [Self.logs[0], Self.logs[2], Self.logs[1]].map(expected)
        #expect(decoded.records.compactMap(\.log) == want)

        var cumulative = CumulativeToDelta()
        let fromBytes = try OTLPRequestDecoder.decode(
            .logs, body: OTLPRequestEncoder.body(request), encoding: .protobuf, receivedAtMicros: 42,
            cumulative: &cumulative)
        #expect(fromBytes.records.compactMap(\.log) == want)
    }

    @Test(arguments: [
        (Severity.debug, Severity.debug), (.info, .info), (.notice, .info), (.warning, .warning), (.error, .error),
        (.critical, .emergency), (.emergency, .emergency),
    ])
    func severityRanges(_ sent: Severity, _ received: Severity) throws {
        var record = Self.logs[1]
        record.severity = sent
        let decoded = OTLPRequestDecoder.records(from: OTLPRequestEncoder.logs([record]), receivedAtMicros: 0)
        #expect(decoded.records.first?.log?.severity == received)
    }

    @Test func idsAreBigEndianBytes() {
        let span = OTLPRequestEncoder.traces([Self.spans[1]]).resourceSpans[0].scopeSpans[0].spans[0]
        #expect(
            Array(span.traceID) == [
                0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
            ])
        #expect(Array(span.spanID) == [0xff, 0xff, 0, 0, 0, 0, 0, 0x22])
        #expect(span.startTimeUnixNano == 1_700_000_000_000_500_000)
        #expect(span.endTimeUnixNano == 1_700_000_000_009_500_000)
    }
}
