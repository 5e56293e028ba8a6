import Foundation
import Logging
import MeshtopGovernance
import MeshtopModel
import MeshtopNet
import NIOCore
import NIOPosix
import Testing

@testable import MeshtopCollector

/// The `/metrics` exposition on known inputs, and alerts delivered to a fake Alertmanager over real HTTP.
@Suite struct PrometheusExporterTests {
    static func span(_ service: String, _ name: String, kind: SpanKind, micros: Int64, error: Bool = false) -> Decoded {
        .span(
            Span(
                traceID: TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!, spanID: SpanID(hex: "b7ad6b7169203331")!,
                parentID: nil, service: service, name: name, kind: kind, startMicros: 1_000, durationMicros: micros,
                isError: error, status: error ? .error : .unset))
    }

    @Test func spanmetricsCountsAndBucketsEverySpan() {
        let e = PrometheusExporter()
        e.observe([
            Self.span("web", "GET /", kind: .server, micros: 3_000),
            Self.span("web", "GET /", kind: .server, micros: 70_000),
            Self.span("web", "GET /", kind: .server, micros: 20_000_000, error: true),
        ])
        let text = e.render(openMetrics: false, collector: [:], queueDepth: 0)
        let ok = #"service_name="web",span_name="GET /",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET""#
        #expect(text.contains("traces_span_metrics_calls_total{\(ok)} 2\n"))
        #expect(text.contains("traces_span_metrics_duration_seconds_bucket{\(ok),le=\"0.002\"} 0\n"))
        #expect(text.contains("traces_span_metrics_duration_seconds_bucket{\(ok),le=\"0.004\"} 1\n"))
        #expect(text.contains("traces_span_metrics_duration_seconds_bucket{\(ok),le=\"0.1\"} 2\n"))
        #expect(text.contains("traces_span_metrics_duration_seconds_bucket{\(ok),le=\"+Inf\"} 2\n"))
        #expect(text.contains("traces_span_metrics_duration_seconds_sum{\(ok)} 0.073\n"))
        let err = ok.replacingOccurrences(of: "STATUS_CODE_UNSET", with: "STATUS_CODE_ERROR")
        // 20 s is beyond the last finite bucket (15 s): only +Inf counts it.
        #expect(text.contains("traces_span_metrics_duration_seconds_bucket{\(err),le=\"15\"} 0\n"))
        #expect(text.contains("traces_span_metrics_duration_seconds_bucket{\(err),le=\"+Inf\"} 1\n"))
        #expect(text.contains("# TYPE traces_span_metrics_calls_total counter\n"))
        #expect(!text.contains("# EOF"))
    }

    @Test func minuteRollupsUpsertedTwiceCountOnlyTheirGrowth() {
        let e = PrometheusExporter()
        func rollup(_ minute: Int64, _ requests: Int64, _ errors: Int64) -> GovernanceOutput {
            var out = GovernanceOutput()
            out.serviceRollups = [
                ServiceRollup(
                    minuteMicros: minute, service: "orders", requests: requests, errors: errors,
                    sumMicros: requests * 1_000,
                    maxMicros: 1_000, satisfied: requests - errors, tolerating: 0, histogram: [])
            ]
            out.edgeRollups = [
                EdgeRollup(
                    minuteMicros: minute, caller: "web", callee: "orders", calls: requests, errors: errors,
                    sumMicros: 0, maxMicros: 0, histogram: [])
            ]
            return out
        }
        e.observe(rollup(60_000_000, 10, 1))
        e.observe(rollup(60_000_000, 25, 5))  // the same minute, grown
        e.observe(rollup(120_000_000, 4, 0))  // the next minute
        let text = e.render(openMetrics: false, collector: [:], queueDepth: 0)
        #expect(text.contains("meshtop_service_requests_total{service=\"orders\"} 29\n"))
        #expect(text.contains("meshtop_service_errors_total{service=\"orders\"} 5\n"))
        #expect(text.contains("meshtop_edge_calls_total{caller=\"web\",callee=\"orders\"} 29\n"))
        #expect(text.contains("meshtop_service_apdex{service=\"orders\"} 1\n"))
    }

    @Test func breakersStatsdRollupsAndOpenMetrics() {
        let e = PrometheusExporter()
        var out = GovernanceOutput()
        out.breakers = [
            BreakerStatus(
                caller: "orders", callee: "payments", source: .simulated, state: .open, failureRate: 60,
                slowCallRate: 0, callsInWindow: 20, wouldReject: 7, sinceMicros: 0, lastCallMicros: 0, transitions: 1)
        ]
        out.metricRollups = [
            MetricRollup(
                timeMicros: 0, intervalMicros: 10_000_000, name: "cart.adds", type: .counter, tags: ["env:prod"],
                service: "cart", count: 3),
            MetricRollup(
                timeMicros: 10_000_000, intervalMicros: 10_000_000, name: "cart.adds", type: .counter,
                tags: ["env:prod"],
                service: "cart", count: 4),
            MetricRollup(
                timeMicros: 0, intervalMicros: 10_000_000, name: "cart.latency", type: .timer, tags: [],
                service: "cart",
                count: 2, sum: 42, p50: 21, p90: 30, p95: 30, p99: 30),
            MetricRollup(
                timeMicros: 0, intervalMicros: 10_000_000, name: "cart.queue", type: .gauge, tags: [],
                service: "cart", last: -7),
        ]
        e.observe(out)
        let text = e.render(
            openMetrics: true, collector: ["lines": 12, "rejected.malformed_statsd": 2], queueDepth: 3, logIndexLag: 40)
        let name = #"name="orders->payments""#
        #expect(
            text.contains(
                "resilience4j_circuitbreaker_state{\(name),state=\"open\",caller=\"orders\",callee=\"payments\"} 1\n"))
        #expect(
            text.contains(
                "resilience4j_circuitbreaker_state{\(name),state=\"closed\",caller=\"orders\",callee=\"payments\"} 0\n")
        )
        #expect(text.contains("meshtop_breaker_would_reject_total{caller=\"orders\",callee=\"payments\"} 7\n"))
        #expect(text.contains("cart_adds_total{env=\"prod\",service=\"cart\"} 7\n"))
        #expect(text.contains("# TYPE cart_adds counter\n"), "OpenMetrics names a counter family without _total")
        #expect(text.contains("cart_latency{service=\"cart\",quantile=\"0.5\"} 21\n"))
        #expect(text.contains("cart_latency_count{service=\"cart\"} 2\n"))
        #expect(text.contains("cart_queue{service=\"cart\"} -7\n"))
        #expect(text.contains("meshtop_collector_rejected_total{reason=\"malformed_statsd\"} 2\n"))
        #expect(text.contains("meshtop_collector_queue_depth 3\n"))
        #expect(text.contains("# TYPE meshtop_collector_log_index_lag gauge\nmeshtop_collector_log_index_lag 40\n"))
        #expect(text.hasSuffix("# EOF\n"))
    }

    @Test func flowRuleCountsGrowWithTheirMinutes() {
        let e = PrometheusExporter()
        func stat(_ minute: Int64, passed: Int64, blocked: Int64) -> GovernanceOutput {
            var out = GovernanceOutput()
            out.limitStats = [
                LimitStat(
                    minuteMicros: minute, rule: "orders-qps", service: "", caller: "web", callee: "orders",
                    passed: passed, blocked: blocked, queued: 0)
            ]
            return out
        }
        e.observe(stat(60_000_000, passed: 50, blocked: 10))
        e.observe(stat(60_000_000, passed: 60, blocked: 40))
        e.observe(stat(120_000_000, passed: 5, blocked: 0))
        let text = e.render(openMetrics: false, collector: ["write_p99_us": 2_500], queueDepth: 0)
        #expect(text.contains("meshtop_flow_passed_total{rule=\"orders-qps\",resource=\"web->orders\"} 65\n"))
        #expect(text.contains("meshtop_flow_blocked_total{rule=\"orders-qps\",resource=\"web->orders\"} 40\n"))
        #expect(text.contains("meshtop_collector_write_p99_seconds 0.0025\n"))
    }

    @Test func labelValuesAreEscapedAndNamesSanitised() {
        #expect(PrometheusText.escapeLabel("a\"b\\c\nd") == #"a\"b\\c\nd"#)
        #expect(PrometheusText.name("9lives.api-calls") == "_lives_api_calls")
        #expect(PrometheusText.name("http:requests", allowColon: false) == "http_requests")
    }

    @Test func seriesBeyondTheLimitAreCountedNotShown() {
        let e = PrometheusExporter(maxSeries: 2)
        e.observe((0..<5).map { Self.span("svc\($0)", "op", kind: .server, micros: 1) })
        let text = e.render(openMetrics: false, collector: [:], queueDepth: 0)
        #expect(text.components(separatedBy: "traces_span_metrics_calls_total{").count - 1 == 2)
        #expect(text.contains("meshtop_exporter_series_dropped_total 3\n"))
    }

    @Test func alertsReachAlertmanagerWhileFiringAndWhenResolved() async throws {
        let fake = try await FakeAlertmanager.start()
        defer { fake.stop() }
        let notifier = AlertmanagerNotifier(
            urls: [URL(string: "http://127.0.0.1:\(fake.port)")!], evaluationIntervalMicros: 5_000_000,
            logger: Logger(label: "t"))
        let firing = AlertStatus(
            rule: "OrdersErrors", severity: "page", labels: [Attribute("service", .string("orders"))], state: .firing,
            value: 0.25, sinceMicros: 1_795_733_000_000_000, firedAtMicros: 1_795_733_010_000_000,
            summary: "orders failing")
        notifier.evaluated(view: [firing], transitions: [], nowMicros: 1_795_733_020_000_000)
        notifier.drain()
        let resolved = AlertTransition(
            rule: "OrdersErrors", severity: "page", labels: [Attribute("service", .string("orders"))], from: .firing,
            to: .resolved, atMicros: 1_795_733_090_000_000, value: 0, summary: "orders failing")
        notifier.evaluated(view: [], transitions: [resolved], nowMicros: 1_795_733_090_000_000)
        notifier.drain()
        let posts = fake.posts
        #expect(posts.count == 2)
        #expect(posts.allSatisfy { $0.path == "/api/v2/alerts" })
        let first = try #require(try JSONSerialization.jsonObject(with: Data(posts[0].body)) as? [[String: Any]])
        #expect(
            (first[0]["labels"] as? [String: String]) == [
                "alertname": "OrdersErrors", "severity": "page", "service": "orders",
            ])
        #expect(first[0]["startsAt"] as? String == RFC3339.format(micros: 1_795_733_010_000_000))
        #expect(first[0]["endsAt"] as? String == RFC3339.format(micros: 1_795_733_020_000_000 + 240_000_000))
        #expect((first[0]["annotations"] as? [String: String])?["summary"] == "orders failing")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(posts[1].body)) as? [[String: Any]])
        #expect(second.count == 1)
        #expect((second[0]["endsAt"] as? String) == RFC3339.format(micros: 1_795_733_090_000_000))
    }
}

/// Records every request over real loopback HTTP (the collector's own HTTP server, with routes that keep bodies).
final class FakeAlertmanager: @unchecked Sendable {
    struct Post {
        var path: String
        var body: [UInt8]
    }

    private let lock = NSLock()
    private var received: [Post] = []
    private var channel: (any Channel)?
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private(set) var port = 0

    var posts: [Post] { lock.withLock { received } }

    static func start() async throws -> FakeAlertmanager {
        let fake = FakeAlertmanager()
        let sink = IngestSink(queue: IngestQueue(capacity: 10), governance: nil)
        let channel = try await HTTPIngestServer.bind(
            HostPort(host: "127.0.0.1", port: 0), routes: Routes(fake: fake), limits: HTTPLimits(maxBodyBytes: 1 << 20),
            maxConnections: 16, allow: [], sink: sink, group: fake.group)
        fake.channel = channel
        fake.port = channel.localAddress?.port ?? 0
        return fake
    }

    func stop() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }

    struct Routes: HTTPIngestRoutes {
        let name = "fake"
        let fake: FakeAlertmanager

        func respond(to request: HTTPIngestRequest) -> HTTPIngestResponse {
            let body = request.body.getBytes(at: request.body.readerIndex, length: request.body.readableBytes) ?? []
            fake.lock.withLock { fake.received.append(Post(path: request.path, body: body)) }
            return HTTPIngestResponse(status: .ok, contentType: "application/json", body: Array("{}".utf8))
        }
    }
}
