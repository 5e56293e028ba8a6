import Foundation
import MeshtopGovernance
import MeshtopModel

/// What `GET /metrics` shows, kept up to date as the collector works (all behind one lock):
/// - RED per span, named as OpenTelemetry's spanmetrics connector does (`traces_span_metrics_calls_total`,
///   `traces_span_metrics_duration_seconds` with its default buckets), from every span the queue accepted;
/// - RED per service and per edge and Apdex, from governance's per-minute rollups (`meshtop_service_*`,
///   `meshtop_edge_*`): a minute's rollup is upserted while it fills, so each update adds only its difference;
/// - breaker state per edge as Resilience4j's Micrometer binder names it
///   (`resilience4j_circuitbreaker_state{name,state}` + `caller`/`callee`), and would-reject counts;
/// - StatsD/OTLP metric rollups as statsd_exporter maps them (counters `_total`, gauges, timers as summaries);
/// - the collector's own counters and gauges (`meshtop_collector_*`).
/// Series are bounded (`maxSeries` per kind); series beyond it are counted in `meshtop_exporter_series_dropped_total`.
final class PrometheusExporter: @unchecked Sendable {
    private let lock = NSLock()
    let maxSeries: Int
    private var dropped: Int64 = 0

    // spanmetrics
    private struct SpanKey: Hashable {
        var service: String
        var name: String
        var kind: SpanKind
        var status: StatusCode
    }
    private struct SpanSeries {
        var calls: Int64 = 0
        var sumMicros: Int64 = 0
        var buckets: [Int64] = Array(repeating: 0, count: PrometheusExporter.bucketsSeconds.count)
    }
    /// spanmetrics' default histogram buckets.
    static let bucketsSeconds: [Double] = [
        0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15,
    ]
    private var spans: [SpanKey: SpanSeries] = [:]

    // rollup-derived RED
    private struct Totals {
        var requests: Int64 = 0
        var errors: Int64 = 0
        var sumMicros: Int64 = 0
        var satisfied: Int64 = 0
        var tolerating: Int64 = 0
    }
    private var services: [String: Totals] = [:]
    private var serviceMinutes: [String: (minute: Int64, seen: Totals)] = [:]
    private var serviceApdex: [String: Double] = [:]
    /// In-flight requests of each service's latest measured minute.
    private var serviceInFlight: [String: (minute: Int64, max: Int64, p99: Int64)] = [:]
    private struct Edge: Hashable {
        var caller: String
        var callee: String
    }
    private var edges: [Edge: Totals] = [:]
    private var edgeMinutes: [Edge: (minute: Int64, seen: Totals)] = [:]

    private var breakers: [Edge: BreakerStatus] = [:]

    /// Flow rules' per-minute counts, summed the same way as rollups (`requests` = passed, `errors` = blocked,
    /// `tolerating` = queued).
    private struct LimitKey: Hashable {
        var rule: String
        var resource: String
    }
    private var limits: [LimitKey: Totals] = [:]
    private var limitMinutes: [LimitKey: (minute: Int64, seen: Totals)] = [:]

    // StatsD / OTLP metrics
    private struct MetricKey: Hashable {
        var name: String
        var labels: [String]
    }
    private var counters: [MetricKey: Double] = [:]
    private var gauges: [MetricKey: Double] = [:]
    private struct Summary {
        var count: Double = 0
        var sum: Double = 0
        var quantiles: [(Double, Double)] = []
    }
    private var summaries: [MetricKey: Summary] = [:]

    init(maxSeries: Int = 10_000) {
        self.maxSeries = maxSeries
    }

    /// Spans the queue accepted (event loop).
    func observe(_ records: [Decoded]) {
        lock.lock()
        defer { lock.unlock() }
        for case .span(let s) in records {
            let key = SpanKey(service: s.service, name: s.name, kind: s.kind, status: s.isError ? .error : s.status)
            if spans[key] == nil && spans.count >= maxSeries {
                dropped += 1
                continue
            }
            let seconds = Double(s.durationMicros) / 1_000_000
            var series = spans[key] ?? SpanSeries()
            series.calls += 1
            series.sumMicros += s.durationMicros
            if let i = Self.bucketsSeconds.firstIndex(where: { seconds <= $0 }) { series.buckets[i] += 1 }
            spans[key] = series
        }
    }

    /// One governance evaluation's output (writer thread).
    func observe(_ out: GovernanceOutput) {
        lock.lock()
        defer { lock.unlock() }
        for r in out.serviceRollups {
            let now = Totals(
                requests: r.requests, errors: r.errors, sumMicros: r.sumMicros, satisfied: r.satisfied,
                tolerating: r.tolerating)
            add(now, minute: r.minuteMicros, key: r.service, totals: &services, minutes: &serviceMinutes)
            if r.requests > 0 {
                serviceApdex[r.service] = (Double(r.satisfied) + Double(r.tolerating) / 2) / Double(r.requests)
            }
        }
        for c in out.serviceConcurrency
        where serviceInFlight[c.service].map({ $0.minute <= c.minuteMicros })
            ?? (serviceInFlight.count < maxSeries)
        {
            serviceInFlight[c.service] = (c.minuteMicros, c.maxInFlight, c.p99InFlight)
        }
        for r in out.edgeRollups {
            let now = Totals(requests: r.calls, errors: r.errors, sumMicros: r.sumMicros)
            add(
                now, minute: r.minuteMicros, key: Edge(caller: r.caller, callee: r.callee), totals: &edges,
                minutes: &edgeMinutes)
        }
        for b in out.breakers where b.source == .simulated {
            breakers[Edge(caller: b.caller, callee: b.callee)] = b
        }
        for l in out.limitStats {
            let resource = l.service.isEmpty ? "\(l.caller)->\(l.callee)" : l.service
            let now = Totals(requests: l.passed, errors: l.blocked, tolerating: l.queued)
            add(
                now, minute: l.minuteMicros, key: LimitKey(rule: l.rule, resource: resource), totals: &limits,
                minutes: &limitMinutes)
        }
        for m in out.metricRollups { observe(m) }
    }

    /// Adds how much a minute's upserted totals grew since it was last seen.
    private func add<K: Hashable>(
        _ now: Totals, minute: Int64, key: K, totals: inout [K: Totals],
        minutes: inout [K: (minute: Int64, seen: Totals)]
    ) {
        if totals[key] == nil && totals.count >= maxSeries {
            dropped += 1
            return
        }
        var seen = Totals()
        if let last = minutes[key] {
            if last.minute == minute {
                seen = last.seen
            } else if last.minute > minute {
                return  // a late update of an older minute: its growth is not tracked (rare, bounded lateness)
            }
        }
        var t = totals[key] ?? Totals()
        t.requests += max(0, now.requests - seen.requests)
        t.errors += max(0, now.errors - seen.errors)
        t.sumMicros += max(0, now.sumMicros - seen.sumMicros)
        t.satisfied += max(0, now.satisfied - seen.satisfied)
        t.tolerating += max(0, now.tolerating - seen.tolerating)
        totals[key] = t
        minutes[key] = (minute, now)
    }

    private func observe(_ m: MetricRollup) {
        let name = PrometheusText.name(m.name)
        var labels = m.tags.map { tag -> String in
            let parts = tag.split(separator: ":", maxSplits: 1)
            let k = PrometheusText.name(String(parts[0]), allowColon: false)
            return parts.count == 2 ? k + "=" + parts[1] : k + "="
        }
        if !m.tags.contains(where: { $0.hasPrefix("service:") }) { labels.append("service=" + m.service) }
        labels.sort()
        let key = MetricKey(name: name, labels: labels)
        let known = counters[key] != nil || gauges[key] != nil || summaries[key] != nil
        if !known && counters.count + gauges.count + summaries.count >= maxSeries {
            dropped += 1
            return
        }
        switch m.type {
        case .counter:
            counters[key, default: 0] += m.count ?? 0
        case .gauge:
            gauges[key] = m.last ?? gauges[key] ?? 0
        case .set:
            gauges[key] = Double(m.unique ?? 0)
        case .timer, .histogram, .distribution:
            var s = summaries[key] ?? Summary()
            s.count += m.count ?? 0
            s.sum += m.sum ?? 0
            s.quantiles = [(0.5, m.p50), (0.9, m.p90), (0.95, m.p95), (0.99, m.p99)].compactMap { q, v in
                v.map { (q, $0) }
            }
            summaries[key] = s
        }
    }

    /// The exposition, with the collector's own counters and gauges.
    func render(openMetrics: Bool, collector: [String: Int64], queueDepth: Int, logIndexLag: Int64 = 0) -> String {
        lock.lock()
        defer { lock.unlock() }
        var t = PrometheusText(openMetrics: openMetrics)
        renderSpans(&t)
        renderRED(&t)
        renderBreakers(&t)
        renderLimits(&t)
        renderMetrics(&t)
        renderSelf(&t, collector, queueDepth, logIndexLag)
        return t.finish()
    }

    private func renderSpans(_ t: inout PrometheusText) {
        let keys = spans.keys.sorted {
            ($0.service, $0.name, $0.kind.rawValue, $0.status.rawValue)
                < ($1.service, $1.name, $1.kind.rawValue, $1.status.rawValue)
        }
        func labels(_ k: SpanKey) -> [(String, String)] {
            [
                ("service_name", k.service), ("span_name", k.name), ("span_kind", Self.kindName(k.kind)),
                ("status_code", Self.statusName(k.status)),
            ]
        }
        t.family("traces_span_metrics_calls_total", .counter, "Spans received, by service, span name, kind and status.")
        for k in keys { t.sample("traces_span_metrics_calls_total", labels(k), Double(spans[k]!.calls)) }
        t.family("traces_span_metrics_duration_seconds", .histogram, "Span durations.")
        for k in keys {
            let s = spans[k]!
            var cumulative: Int64 = 0
            for (i, le) in Self.bucketsSeconds.enumerated() {
                cumulative += s.buckets[i]
                t.sample(
                    "traces_span_metrics_duration_seconds_bucket", labels(k) + [("le", PrometheusText.format(le))],
                    Double(cumulative))
            }
            t.sample("traces_span_metrics_duration_seconds_bucket", labels(k) + [("le", "+Inf")], Double(s.calls))
            t.sample("traces_span_metrics_duration_seconds_sum", labels(k), Double(s.sumMicros) / 1e6)
            t.sample("traces_span_metrics_duration_seconds_count", labels(k), Double(s.calls))
        }
    }

    private func renderRED(_ t: inout PrometheusText) {
        let svc = services.keys.sorted()
        t.family(
            "meshtop_service_requests_total", .counter, "Requests served (server and consumer spans), per service.")
        for s in svc { t.sample("meshtop_service_requests_total", [("service", s)], Double(services[s]!.requests)) }
        t.family("meshtop_service_errors_total", .counter, "Requests that failed, per service.")
        for s in svc { t.sample("meshtop_service_errors_total", [("service", s)], Double(services[s]!.errors)) }
        t.family("meshtop_service_duration_seconds_total", .counter, "Total request time, per service.")
        for s in svc {
            t.sample("meshtop_service_duration_seconds_total", [("service", s)], Double(services[s]!.sumMicros) / 1e6)
        }
        t.family("meshtop_service_apdex", .gauge, "Apdex of the service's latest minute, with its apdex_t.")
        for s in svc { if let a = serviceApdex[s] { t.sample("meshtop_service_apdex", [("service", s)], a) } }
        let inFlight = serviceInFlight.keys.sorted()
        t.family(
            "meshtop_service_inflight_max", .gauge, "Most requests in flight at once in the service's latest minute.")
        for s in inFlight {
            t.sample("meshtop_service_inflight_max", [("service", s)], Double(serviceInFlight[s]!.max))
        }
        t.family(
            "meshtop_service_inflight_p99", .gauge,
            "Time-weighted p99 of requests in flight in the service's latest minute.")
        for s in inFlight {
            t.sample("meshtop_service_inflight_p99", [("service", s)], Double(serviceInFlight[s]!.p99))
        }
        let e = edges.keys.sorted { ($0.caller, $0.callee) < ($1.caller, $1.callee) }
        t.family("meshtop_edge_calls_total", .counter, "Calls from caller to callee.")
        for k in e {
            t.sample(
                "meshtop_edge_calls_total", [("caller", k.caller), ("callee", k.callee)], Double(edges[k]!.requests))
        }
        t.family("meshtop_edge_errors_total", .counter, "Failed calls from caller to callee.")
        for k in e {
            t.sample(
                "meshtop_edge_errors_total", [("caller", k.caller), ("callee", k.callee)], Double(edges[k]!.errors))
        }
    }

    private func renderBreakers(_ t: inout PrometheusText) {
        let keys = breakers.keys.sorted { ($0.caller, $0.callee) < ($1.caller, $1.callee) }
        t.family(
            "resilience4j_circuitbreaker_state", .gauge, "Simulated breaker state per edge: 1 for the current state.")
        for k in keys {
            let b = breakers[k]!
            for state in [BreakerState.closed, .open, .halfOpen] {
                t.sample(
                    "resilience4j_circuitbreaker_state",
                    [
                        ("name", "\(k.caller)->\(k.callee)"), ("state", state.rawValue), ("caller", k.caller),
                        ("callee", k.callee),
                    ],
                    b.state == state ? 1 : 0)
            }
        }
        t.family("meshtop_breaker_would_reject_total", .counter, "Calls an open breaker would have rejected.")
        for k in keys {
            t.sample(
                "meshtop_breaker_would_reject_total", [("caller", k.caller), ("callee", k.callee)],
                Double(breakers[k]!.wouldReject))
        }
    }

    private func renderLimits(_ t: inout PrometheusText) {
        let keys = limits.keys.sorted { ($0.rule, $0.resource) < ($1.rule, $1.resource) }
        for (name, help, value) in [
            (
                "meshtop_flow_passed_total", "Calls a flow rule would have passed (queued ones included).",
                { (x: Totals) in x.requests }
            ),
            ("meshtop_flow_blocked_total", "Calls a flow rule would have rejected.", { (x: Totals) in x.errors }),
            ("meshtop_flow_queued_total", "Calls a throttle rule would have queued.", { (x: Totals) in x.tolerating }),
        ] {
            t.family(name, .counter, help)
            for k in keys { t.sample(name, [("rule", k.rule), ("resource", k.resource)], Double(value(limits[k]!))) }
        }
    }

    private func renderMetrics(_ t: inout PrometheusText) {
        func labels(_ k: MetricKey) -> [(String, String)] {
            k.labels.map { l in
                let parts = l.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), parts.count == 2 ? String(parts[1]) : "")
            }
        }
        let byName = Dictionary(grouping: counters.keys, by: \.name)
        for name in byName.keys.sorted() {
            let family = name.hasSuffix("_total") ? name : name + "_total"
            t.family(family, .counter, "StatsD/OTLP counter \(name).")
            for k in byName[name]!.sorted(by: { $0.labels.lexicographicallyPrecedes($1.labels) }) {
                t.sample(family, labels(k), counters[k]!)
            }
        }
        let gaugeNames = Dictionary(grouping: gauges.keys, by: \.name)
        for name in gaugeNames.keys.sorted() {
            t.family(name, .gauge, "StatsD/OTLP gauge \(name).")
            for k in gaugeNames[name]!.sorted(by: { $0.labels.lexicographicallyPrecedes($1.labels) }) {
                t.sample(name, labels(k), gauges[k]!)
            }
        }
        let summaryNames = Dictionary(grouping: summaries.keys, by: \.name)
        for name in summaryNames.keys.sorted() {
            t.family(
                name, .summary, "StatsD/OTLP timer or distribution \(name) (quantiles of the last flush interval).")
            for k in summaryNames[name]!.sorted(by: { $0.labels.lexicographicallyPrecedes($1.labels) }) {
                let s = summaries[k]!
                for (q, v) in s.quantiles { t.sample(name, labels(k) + [("quantile", PrometheusText.format(q))], v) }
                t.sample(name + "_sum", labels(k), s.sum)
                t.sample(name + "_count", labels(k), s.count)
            }
        }
    }

    private func renderSelf(_ t: inout PrometheusText, _ c: [String: Int64], _ queueDepth: Int, _ lag: Int64) {
        func counter(_ name: String, _ help: String, _ key: String) {
            t.family(name, .counter, help)
            t.sample(name, [], Double(c[key] ?? 0))
        }
        counter("meshtop_collector_received_datagrams_total", "UDP datagrams received.", "received_datagrams")
        counter("meshtop_collector_lines_total", "Lines and items received.", "lines")
        t.family("meshtop_collector_parsed_total", .counter, "Records stored, by signal.")
        for signal in ["spans", "logs", "metrics"] {
            t.sample("meshtop_collector_parsed_total", [("signal", signal)], Double(c["parsed." + signal] ?? 0))
        }
        t.family("meshtop_collector_rejected_total", .counter, "Lines rejected, by reason.")
        for (k, v) in c.filter({ $0.key.hasPrefix("rejected.") }).sorted(by: { $0.key < $1.key }) {
            t.sample("meshtop_collector_rejected_total", [("reason", String(k.dropFirst(9)))], Double(v))
        }
        counter(
            "meshtop_collector_dropped_total", "Lines dropped (queue full, or a write that never succeeded).", "dropped"
        )
        counter("meshtop_collector_denied_total", "Datagrams and connections from sources outside --allow.", "denied")
        t.family("meshtop_receiver_requests_total", .counter, "HTTP/gRPC requests, by receiver and status class.")
        for (k, v) in c.sorted(by: { $0.key < $1.key }) {
            let parts = k.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, ["otlp_http", "otlp_grpc", "zipkin"].contains(String(parts[0])),
                parts[1].hasPrefix("status_")
            else { continue }
            t.sample(
                "meshtop_receiver_requests_total",
                [("receiver", String(parts[0])), ("status", String(parts[1].dropFirst(7)))], Double(v))
        }
        t.family("meshtop_collector_queue_depth", .gauge, "Lines waiting for the writer.")
        t.sample("meshtop_collector_queue_depth", [], Double(queueDepth))
        t.family(
            "meshtop_collector_log_index_lag", .gauge, "Log rows not yet in the full-text index (searches scan them).")
        t.sample("meshtop_collector_log_index_lag", [], Double(lag))
        if let p99 = c["write_p99_us"] {
            t.family("meshtop_collector_write_p99_seconds", .gauge, "p99 of the last 256 commit durations.")
            t.sample("meshtop_collector_write_p99_seconds", [], Double(p99) / 1e6)
        }
        t.family("meshtop_exporter_series_dropped_total", .counter, "Series not exposed because of the series limit.")
        t.sample("meshtop_exporter_series_dropped_total", [], Double(dropped))
    }

    static func kindName(_ k: SpanKind) -> String {
        switch k {
        case .unspecified: return "SPAN_KIND_UNSPECIFIED"
        case .internal: return "SPAN_KIND_INTERNAL"
        case .server: return "SPAN_KIND_SERVER"
        case .client: return "SPAN_KIND_CLIENT"
        case .producer: return "SPAN_KIND_PRODUCER"
        case .consumer: return "SPAN_KIND_CONSUMER"
        }
    }

    static func statusName(_ s: StatusCode) -> String {
        switch s {
        case .unset: return "STATUS_CODE_UNSET"
        case .ok: return "STATUS_CODE_OK"
        case .error: return "STATUS_CODE_ERROR"
        }
    }
}
