import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// The real-client trace of `fixtures/wire/trace_truth.json` (OpenTelemetry Python SDK 1.21.0):
/// gateway GET /checkout → gateway CLIENT (peer orders) → orders SERVER → orders INTERNAL + orders CLIENT
/// (peer payments) → payments SERVER. Every server span and both clients (HTTP 502) are errors.
enum TruthTrace {
    static let trace = TraceID(hex: "b8a1abcd1a6916c74da4f9fc3c6da5d7")!

    static func span(
        _ service: String, _ name: String, _ kind: SpanKind, _ id: String, _ parent: String?, _ start: Int64,
        _ duration: Int64, status: StatusCode, http: Int64, peer: String? = nil
    ) -> Span {
        var attrs = [Attribute("http.status_code", .int(http))]
        if let p = peer { attrs.append(Attribute("peer.service", .string(p))) }
        if http == 0 { attrs = [] }
        return Span(
            traceID: trace, spanID: SpanID(hex: id)!, parentID: parent.flatMap { SpanID(hex: $0) }, service: service,
            name: name, kind: kind, startMicros: start, durationMicros: duration,
            isError: ErrorRule.isError(attributes: attrs, status: status, kind: kind), status: status,
            peerService: peer, attributes: attrs)
    }

    /// In end order, as the SDK exported them.
    static let spans: [Span] = [
        span(
            "orders", "SELECT orders", .internal, "8ca5996666ceab36", "0512bd1311072231", 1_795_733_245_737_406, 3118,
            status: .unset, http: 0),
        span(
            "payments", "charge", .server, "fd724452ccea71ff", "4a14876aeaff1a09", 1_795_733_245_740_713, 30325,
            status: .error, http: 502),
        span(
            "orders", "POST payments", .client, "4a14876aeaff1a09", "0512bd1311072231", 1_795_733_245_740_627,
            30476, status: .unset, http: 502, peer: "payments"),
        span(
            "orders", "POST /orders", .server, "0512bd1311072231", "1710cf5327ac435a", 1_795_733_245_733_244, 37884,
            status: .error, http: 502),
        span(
            "gateway", "POST orders", .client, "1710cf5327ac435a", "7a97c643656412a9", 1_795_733_245_733_099, 38050,
            status: .unset, http: 502, peer: "orders"),
        span(
            "gateway", "GET /checkout", .server, "7a97c643656412a9", nil, 1_795_733_245_727_775, 45500,
            status: .error, http: 502),
    ]
}

@Suite struct EngineTopologyTests {
    func run(_ spans: [Span]) -> GovernanceOutput {
        let e = GovernanceEngine()
        for s in spans { e.ingest(span: s) }
        return e.tick(nowMicros: TruthTrace.spans[5].endMicros + 1_000_000)
    }

    func check(_ out: GovernanceOutput, callSums: [Int64] = [38050, 30476]) {
        #expect(out.edgeRollups.map { "\($0.caller)->\($0.callee)" } == ["gateway->orders", "orders->payments"])
        #expect(out.edgeRollups.map(\.calls) == [1, 1])
        #expect(out.edgeRollups.map(\.errors) == [1, 1])
        // The call's latency is the client span's (the server span's when only the server side names the edge).
        #expect(out.edgeRollups.map(\.sumMicros) == callSums)
        #expect(out.serviceRollups.map(\.service) == ["gateway", "orders", "payments"])
        #expect(out.serviceRollups.map(\.requests) == [1, 1, 1])
        #expect(out.serviceRollups.map(\.errors) == [1, 1, 1])
        #expect(out.serviceRollups.map(\.sumMicros) == [45500, 37884, 30325])
        #expect(out.serviceRollups.allSatisfy { $0.minuteMicros == 1_795_733_220_000_000 && $0.satisfied == 1 })
    }

    @Test func endOrder() { check(run(TruthTrace.spans)) }
    @Test func reversedOrder() { check(run(TruthTrace.spans.reversed())) }
    @Test func interleavedOrder() {
        let s = TruthTrace.spans
        check(run([s[3], s[0], s[5], s[1], s[4], s[2]]))
        check(run([s[2], s[4], s[1], s[3], s[5], s[0]]))
    }

    /// Without `peer.service` the edges come from the child side: still exactly one call per edge.
    @Test func withoutPeerService() {
        let stripped = TruthTrace.spans.map { s -> Span in
            var x = s
            x.peerService = nil
            return x
        }
        check(run(stripped), callSums: [37884, 30325])
        check(run(stripped.reversed()), callSums: [37884, 30325])
    }

    /// A client naming a peer that sends no spans still makes an edge, named by `peer.service`;
    /// a kind-less root span counts as a request, a kind-less child of the same service does not.
    @Test func peerOnlyAndKindless() {
        let e = GovernanceEngine()
        let t = TraceID(high: 0, low: 9)
        e.ingest(
            span: Span(
                traceID: t, spanID: SpanID(1), parentID: nil, service: "web", name: "root",
                startMicros: 0, durationMicros: 900_000))
        e.ingest(
            span: Span(
                traceID: t, spanID: SpanID(2), parentID: SpanID(1), service: "web", name: "inner",
                startMicros: 10, durationMicros: 5))
        e.ingest(
            span: Span(
                traceID: t, spanID: SpanID(3), parentID: SpanID(1), service: "web", name: "redis GET",
                kind: .client, startMicros: 20, durationMicros: 30, isError: true, peerService: "redis"))
        let out = e.tick(nowMicros: 2_000_000)
        #expect(out.serviceRollups.map(\.service) == ["web"])
        #expect(out.serviceRollups[0].requests == 1 && out.serviceRollups[0].tolerating == 1)
        #expect(out.edgeRollups.map { "\($0.caller)->\($0.callee):\($0.calls):\($0.errors)" } == ["web->redis:1:1"])
    }

    /// A child whose parent never arrives is counted as parentless after the wait, and the buffer is bounded.
    @Test func parentTimeoutAndEviction() {
        let cfg = GovernanceConfig(maxBufferedSpans: 10, maxWaitingSpans: 5, parentWaitMicros: 1_000_000)
        let e = GovernanceEngine(config: cfg)
        for i in 0..<8 {
            e.ingest(
                span: Span(
                    traceID: TraceID(high: 0, low: UInt64(i)), spanID: SpanID(100), parentID: SpanID(7),
                    service: "svc", name: "x", startMicros: Int64(i), durationMicros: 10))
        }
        #expect(e.stats.trace.evictedWaiting == 3)
        #expect(e.stats.trace.waitingSpans == 5)
        e.ingest(
            span: Span(
                traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), parentID: nil, service: "other",
                name: "late", kind: .server, startMicros: 5_000_000, durationMicros: 1))
        let out = e.tick(nowMicros: 6_000_000)
        #expect(e.stats.trace.parentTimeouts == 5)
        #expect(out.serviceRollups.first { $0.service == "svc" }?.requests == 8)
        for i in 0..<20 {
            e.ingest(
                span: Span(
                    traceID: TraceID(high: 2, low: UInt64(i)), spanID: SpanID(1), parentID: nil, service: "a",
                    name: "r", kind: .server, startMicros: 5_000_000, durationMicros: 1))
        }
        #expect(e.stats.trace.bufferedSpans == 10)
        #expect(e.stats.trace.evictedSpans == 19)
    }
}

@Suite struct EngineBoundsTests {
    /// Records far ahead of the wall clock are ignored; idle breakers are forgotten after an hour.
    @Test func futureRecordsAndIdleBreakers() {
        let e = GovernanceEngine()
        let now: Int64 = 1_800_000_000_000_000
        _ = e.tick(nowMicros: now)
        for x in callSpans(1, caller: "a", callee: "b", end: now, failed: false) { e.ingest(span: x) }
        for x in callSpans(2, caller: "a", callee: "c", end: now + 3_600_000_000, failed: false) { e.ingest(span: x) }
        e.ingest(log: LogRecord(timeMicros: now + 400_000_000, service: "a", message: "from the future"))
        _ = e.tick(nowMicros: now + 3_000_000)
        #expect(e.stats.futureRecords == 3)
        #expect(e.stats.watermarkMicros == now)
        #expect(e.stats.breakers == 1)
        let late = now + 3_700_000_000
        _ = e.tick(nowMicros: late)
        for x in callSpans(3, caller: "x", callee: "y", end: late, failed: false) { e.ingest(span: x) }
        _ = e.tick(nowMicros: late + 1)
        #expect(e.stats.breakers == 1)  // a→b idle for more than an hour: forgotten; x→y new
    }
}
