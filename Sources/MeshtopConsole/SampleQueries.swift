import MeshtopModel
import MeshtopQuery

/// An in-memory `QueryReading` with fixed, deterministic data relative to `nowMicros`: for tests, the dev
/// harness, the benchmark (`scale` multiplies services, traces and logs) and trying the console without a
/// collector. Includes a wide-character service (`注文`), an emoji, and a log line carrying an escape sequence.
public struct SampleQueries: QueryReading {
    public let nowMicros: Int64
    let serviceRows: [ServiceRow]
    let edgeRows: [EdgeRow]
    let summaries: [TraceSummary]
    let details: [TraceID: TraceDetail]
    let logRows: [LogRow]
    let metricRows: [MetricRow]
    let breakerRows: [BreakerStatus]
    let transitions: [BreakerTransition]
    let alertRows: [AlertStatus]
    let alertTransitions: [AlertTransition]
    let status: CollectorStatus

    public init(nowMicros: Int64, scale: Int = 1) {
        self.nowMicros = nowMicros
        let scale = max(scale, 1)
        let sec: Int64 = 1_000_000
        var names = ["frontend", "orders", "payments", "inventory", "注文", "auth", "shipping", "🚀launch"]
        if scale > 1 { names += (0..<(scale * 20)).map { "svc-\($0)" } }
        let healths: [HealthState] = [.healthy, .degraded, .failing, .healthy, .healthy, .healthy, .idle, .healthy]
        var rows: [ServiceRow] = []
        for (i, n) in names.enumerated() {
            let h = i < healths.count ? healths[i] : .healthy
            let req = h == .idle ? 0 : Int64(9_000 / (i + 1))
            let err = h == .failing ? req / 5 : (h == .degraded ? req / 100 : 0)
            let series = (0..<30).map { k in Double((k * 7 + i * 13) % 17 + (h == .idle ? 0 : 3)) }
            let p99 = (0..<30).map { k in Double((k * 5 + i * 3) % 11) * 10 + 20 }
            rows.append(
                ServiceRow(
                    service: n, requests: req, errors: err, errorRate: req > 0 ? Double(err) / Double(req) : 0,
                    rps: Double(req) / 900, p50Ms: Double(5 + i * 3), p90Ms: Double(20 + i * 9),
                    p99Ms: Double(40 + i * 25), maxMs: Double(90 + i * 40),
                    apdex: h == .idle ? nil : (h == .failing ? 0.71 : 0.97), health: h, rateSeries: series,
                    p99Series: p99, inflightMax: h == .idle ? nil : Int64(12 - i),
                    inflightP99: h == .idle ? nil : Int64(8 - i / 2)))
        }
        serviceRows = rows
        var edges: [EdgeRow] = [
            EdgeRow(
                caller: "frontend", callee: "orders", calls: 4_500, errors: 45, errorRate: 0.01, rps: 5, p50Ms: 12,
                p99Ms: 180, breaker: .closed),
            EdgeRow(
                caller: "frontend", callee: "auth", calls: 1_800, errors: 0, errorRate: 0, rps: 2, p50Ms: 3,
                p99Ms: 20, breaker: .closed),
            EdgeRow(
                caller: "orders", callee: "payments", calls: 900, errors: 450, errorRate: 0.5, rps: 1, p50Ms: 40,
                p99Ms: 900, breaker: .open),
            EdgeRow(
                caller: "orders", callee: "inventory", calls: 900, errors: 0, errorRate: 0, rps: 1, p50Ms: 8,
                p99Ms: 60, breaker: .closed),
            EdgeRow(
                caller: "orders", callee: "注文", calls: 450, errors: 9, errorRate: 0.02, rps: 0.5, p50Ms: 9,
                p99Ms: 70, breaker: .halfOpen),
            EdgeRow(
                caller: "payments", callee: "auth", calls: 900, errors: 0, errorRate: 0, rps: 1, p50Ms: 2,
                p99Ms: 15, breaker: .closed),
            EdgeRow(
                caller: "frontend", callee: "🚀launch", calls: 90, errors: 0, errorRate: 0, rps: 0.1, p50Ms: 2,
                p99Ms: 9, breaker: nil),
        ]
        if scale > 1 {
            for k in 0..<(scale * 20) {
                edges.append(
                    EdgeRow(
                        caller: k % 3 == 0 ? "frontend" : "svc-\(k / 3)", callee: "svc-\(k)", calls: 100,
                        errors: Int64(k % 5), errorRate: Double(k % 5) / 100, rps: 0.1, p50Ms: 3, p99Ms: 30,
                        breaker: .closed))
            }
        }
        edgeRows = edges
        var sums: [TraceSummary] = []
        var dets: [TraceID: TraceDetail] = [:]
        let traceCount = 6 * scale
        for t in 0..<traceCount {
            let id = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4700 + UInt64(t))
            let start = nowMicros - Int64(t + 1) * 37 * sec
            let spans = SampleQueries.spans(id, start: start, failing: t % 3 == 0, fanout: scale > 1 ? 40 : 0)
            let logs = [
                LogRecord(
                    timeMicros: start + 5_000, service: "orders", severity: .info, message: "order accepted",
                    traceID: id, spanID: SpanID(2)),
                LogRecord(
                    timeMicros: start + 60_000, service: "payments", severity: t % 3 == 0 ? .error : .info,
                    message: t % 3 == 0 ? "card declined: \u{1b}[31mrisk\u{1b}[0m" : "charged", traceID: id,
                    spanID: SpanID(3)),
            ]
            dets[id] = TraceDetail(traceID: id, spans: spans, logs: logs)
            let end = spans.map(\.endMicros).max() ?? start
            sums.append(
                TraceSummary(
                    traceID: id, rootService: "frontend", rootOperation: "GET /checkout",
                    startMicros: start, durationMicros: end - start, spanCount: spans.count,
                    services: Array(Set(spans.map(\.service))).sorted(), error: spans.contains { $0.isError }))
        }
        summaries = sums
        details = dets
        var logs: [LogRow] = []
        let messages: [(String, Severity, String)] = [
            ("frontend", .info, "GET /checkout 200 in 84ms"), ("orders", .warning, "retrying payment call (1/3)"),
            ("payments", .error, "upstream timeout after 500ms"), ("注文", .info, "注文を受け付けました 🎉"),
            ("auth", .debug, "token cache hit"), ("inventory", .notice, "stock low for sku=42"),
            ("frontend", .critical, "evil \u{1b}[2J payload"),
        ]
        for k in 0..<(40 * scale) {
            let m = messages[k % messages.count]
            let tid: TraceID? = k % 4 == 0 ? sums[k / 4 % sums.count].traceID : nil
            logs.append(
                LogRow(
                    id: Int64(k + 1),
                    record: LogRecord(
                        timeMicros: nowMicros - Int64(40 * scale - k) * sec,
                        service: m.0, host: "web-1", severity: m.1, message: m.2, traceID: tid)))
        }
        logRows = logs
        let flush = (0..<30).map { Double(($0 * 11) % 7 + 1) }
        var metrics: [MetricRow] = [
            MetricRow(
                name: "orders.created", type: .counter, tags: ["env:prod"], service: "orders", count: 1_234,
                rate: 1.37, series: flush),
            MetricRow(
                name: "inventory.stock", type: .gauge, tags: [], service: "inventory", min: 12, max: 80,
                last: 42, series: flush.reversed()),
            MetricRow(
                name: "payments.latency", type: .timer, tags: ["region:eu"], service: "payments", count: 900,
                mean: 55, p50: 40, p90: 120, p95: 300, p99: 880, series: flush.map { $0 * 10 }),
            MetricRow(name: "auth.users", type: .set, tags: [], service: "auth", unique: 311, series: flush),
        ]
        if scale > 1 {
            for k in 0..<(scale * 50) {
                metrics.append(
                    MetricRow(
                        name: "svc.metric.\(k)", type: .counter, tags: ["k:\(k)"], service: "svc-\(k)",
                        count: Double(k), rate: Double(k) / 10, series: flush))
            }
        }
        metricRows = metrics
        breakerRows = edges.filter { $0.breaker != nil }.map { e in
            BreakerStatus(
                caller: e.caller, callee: e.callee, source: .simulated, state: e.breaker ?? .closed,
                failureRate: e.errorRate * 100, slowCallRate: 0, callsInWindow: 100,
                wouldReject: e.breaker == .open ? 37 : 0, sinceMicros: nowMicros - 300 * sec,
                lastCallMicros: nowMicros - 2 * sec, transitions: e.breaker == .closed ? 0 : 2)
        }
        transitions = [
            BreakerTransition(
                caller: "orders", callee: "payments", atMicros: nowMicros - 600 * sec, from: .closed,
                to: .open, failureRate: 55, slowCallRate: 0, calls: 100, failedCalls: 55, slowCalls: 0),
            BreakerTransition(
                caller: "orders", callee: "payments", atMicros: nowMicros - 480 * sec, from: .open,
                to: .halfOpen, failureRate: nil, slowCallRate: nil, calls: 0, failedCalls: 0, slowCalls: 0),
            BreakerTransition(
                caller: "orders", callee: "payments", atMicros: nowMicros - 300 * sec, from: .halfOpen,
                to: .open, failureRate: 60, slowCallRate: 0, calls: 10, failedCalls: 6, slowCalls: 0),
        ]
        let label = [Attribute("service", .string("payments"))]
        alertRows = [
            AlertStatus(
                rule: "HighErrorRate", severity: "critical", labels: label, state: .firing, value: 0.2,
                sinceMicros: nowMicros - 400 * sec, firedAtMicros: nowMicros - 340 * sec,
                summary: "payments error rate 20% > 5%"),
            AlertStatus(
                rule: "SlowP99", severity: "warning", labels: [Attribute("service", .string("注文"))],
                state: .pending, value: 1250, sinceMicros: nowMicros - 30 * sec, summary: "注文 p99 1250ms > 1s"),
            AlertStatus(
                rule: "BreakerOpen", severity: "warning", labels: [Attribute("edge", .string("a→b"))],
                state: .resolved, value: 0, sinceMicros: nowMicros - 900 * sec, firedAtMicros: nowMicros - 880 * sec,
                resolvedAtMicros: nowMicros - 120 * sec, summary: "breaker a→b closed again"),
        ]
        alertTransitions = [
            AlertTransition(
                rule: "HighErrorRate", severity: "critical", labels: label, from: .pending, to: .firing,
                atMicros: nowMicros - 340 * sec, value: 0.2, summary: "payments error rate 20% > 5%"),
            AlertTransition(
                rule: "HighErrorRate", severity: "critical", labels: label, from: .inactive, to: .pending,
                atMicros: nowMicros - 400 * sec, value: 0.12, summary: "payments error rate 12% > 5%"),
        ]
        status = CollectorStatus(
            receivedDatagrams: 120_000, lines: 150_000, parsedSpans: 60_000, parsedLogs: 60_000,
            parsedMetrics: 30_000, rejected: ["malformed": 3, "unknown": 2], dropped: 0, linesPerSecond: 1_234,
            lastWriteMicros: nowMicros - 2 * sec, databaseBytes: 12_582_912)
    }

    static func spans(_ id: TraceID, start: Int64, failing: Bool, fanout: Int) -> [Span] {
        let http = Attribute("http.method", .string("POST"))
        var s: [Span] = [
            Span(
                traceID: id, spanID: SpanID(1), parentID: nil, service: "frontend", name: "GET /checkout",
                kind: .server, startMicros: start, durationMicros: 120_000,
                attributes: [Attribute("http.route", .string("/checkout")), Attribute("user", .string("ユーザー"))]),
            Span(
                traceID: id, spanID: SpanID(2), parentID: SpanID(1), service: "orders", name: "POST /orders",
                kind: .server, startMicros: start + 2_000, durationMicros: 100_000, attributes: [http]),
            Span(
                traceID: id, spanID: SpanID(3), parentID: SpanID(2), service: "payments", name: "charge",
                kind: .server, startMicros: start + 10_000, durationMicros: 60_000, isError: failing,
                status: failing ? .error : .ok, statusMessage: failing ? "card declined" : nil,
                events: [SpanEvent(timeMicros: start + 30_000, name: "retry", attributes: [Attribute("n", .int(1))])]),
            Span(
                traceID: id, spanID: SpanID(4), parentID: SpanID(2), service: "inventory", name: "reserve",
                kind: .server, startMicros: start + 72_000, durationMicros: 20_000),
            Span(
                traceID: id, spanID: SpanID(5), parentID: SpanID(2), service: "注文", name: "記録",
                kind: .server, startMicros: start + 5_000, durationMicros: 4_000),
            Span(
                traceID: id, spanID: SpanID(6), parentID: SpanID(3), service: "auth", name: "verify 🔑",
                kind: .server, startMicros: start + 12_000, durationMicros: 3_000),
        ]
        for k in 0..<fanout {
            s.append(
                Span(
                    traceID: id, spanID: SpanID(UInt64(100 + k)), parentID: SpanID(2), service: "svc-\(k)",
                    name: "op \(k)", startMicros: start + Int64(3_000 + k * 2_000),
                    durationMicros: Int64(1_000 + k * 100)))
        }
        return s
    }
}
