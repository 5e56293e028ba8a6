import MeshtopDemo
import MeshtopModel
import MeshtopQuery
import MeshtopStore

/// What a headless demo run left in the database: services, edges, breaker transitions and alert transitions, and
/// how many items the OTLP receivers took (with the scenario's transport table, so a reader sees which services
/// those were).
struct DemoSummary {
    var services: [ServiceRow]
    var edges: [EdgeRow]
    var transitions: [BreakerTransition]
    var alerts: [AlertTransition]
    var spans: Int64
    var logs: Int64
    var metricRollups: Int64
    /// `otlp_http.items`, `otlp_grpc.items`, … : the HTTP/gRPC receivers' counters.
    var receiverCounters: [String: Int64] = [:]
    var transportLines: [String] = []

    static let receiverCounterNames = [
        "otlp_http.requests", "otlp_http.items", "otlp_grpc.requests", "otlp_grpc.items",
    ]

    static func read(databasePath: String, scenario: Scenario? = nil) throws -> DemoSummary {
        let store = try StoreOpening.reader(databasePath, timeout: nil)
        let q = MeshtopQueries(reader: store)
        let latest = try q.latestEventMicros() ?? SystemClock.wallMicros()
        // The whole run, whatever the speed: from well before the story to just after its end.
        let window = TimeWindow(sinceMicros: latest - 7 * 86_400_000_000, untilMicros: latest + 60_000_000)
        let counts = store.rowCounts()
        let counters = try store.counters()
        return DemoSummary(
            services: try q.services(window: window),
            edges: try q.topology(window: window).edges,
            // History comes newest first (time, then insertion order): reversed keeps same-instant steps in order.
            transitions: Array(try q.breakerHistory(caller: nil, callee: nil, limit: 1000).reversed()),
            alerts: Array(try q.alertHistory(limit: 1000).reversed()),
            spans: counts["spans"] ?? 0, logs: counts["logs"] ?? 0, metricRollups: counts["metric_rollups"] ?? 0,
            receiverCounters: counters.filter { receiverCounterNames.contains($0.key) },
            transportLines: scenario?.transportLines ?? [])
    }

    var text: String {
        var out = "services (\(services.count)): " + services.map(\.service).joined(separator: ", ") + "\n"
        out += "edges (\(edges.count)): " + edges.map { "\($0.caller)->\($0.callee)" }.joined(separator: ", ") + "\n"
        out += "rows: \(spans) spans, \(logs) logs, \(metricRollups) metric rollups\n"
        out +=
            "otlp: \(counter("otlp_http.items")) spans and logs in \(counter("otlp_http.requests")) "
            + "OTLP/HTTP requests, "
            + "\(counter("otlp_grpc.items")) in \(counter("otlp_grpc.requests")) OTLP/gRPC requests\n"
        if !transportLines.isEmpty {
            out += "transports:\n" + transportLines.map { "  \($0)\n" }.joined()
        }
        out += "breaker transitions (\(transitions.count)):\n"
        for t in transitions {
            out +=
                "  \(RFC3339.format(micros: t.atMicros))  \(t.caller)->\(t.callee)  \(t.from.rawValue) -> "
                + "\(t.to.rawValue)  failure_rate=\(t.failureRate.map { String($0) } ?? "-")\n"
        }
        out += "alert transitions (\(alerts.count)):\n"
        for a in alerts {
            out +=
                "  \(RFC3339.format(micros: a.atMicros))  \(a.rule)  \(a.from.rawValue) -> \(a.to.rawValue)  "
                + Sanitizer.escape(a.summary) + "\n"
        }
        return out
    }

    func counter(_ name: String) -> Int64 { receiverCounters[name] ?? 0 }

    var json: String {
        func q(_ s: String) -> String { JSONText.quote(s) }
        let receivers = Self.receiverCounterNames.map { "\(q($0)):\(counter($0))" }.joined(separator: ",")
        let svc = services.map(\.service).map(q).joined(separator: ",")
        let e = edges.map { "{\"caller\":\(q($0.caller)),\"callee\":\(q($0.callee)),\"calls\":\($0.calls)}" }
        let t = transitions.map {
            "{\"caller\":\(q($0.caller)),\"callee\":\(q($0.callee)),\"from\":\(q($0.from.rawValue)),"
                + "\"to\":\(q($0.to.rawValue)),\"at\":\(q(RFC3339.format(micros: $0.atMicros)))}"
        }
        let a = alerts.map {
            "{\"rule\":\(q($0.rule)),\"from\":\(q($0.from.rawValue)),\"to\":\(q($0.to.rawValue)),"
                + "\"at\":\(q(RFC3339.format(micros: $0.atMicros)))}"
        }
        return "{\"services\":[\(svc)],\"edges\":[\(e.joined(separator: ","))],"
            + "\"breaker_transitions\":[\(t.joined(separator: ","))],\"alert_transitions\":[\(a.joined(separator: ","))],"
            + "\"rows\":{\"spans\":\(spans),\"logs\":\(logs),\"metric_rollups\":\(metricRollups)},"
            + "\"receivers\":{\(receivers)}}"
    }
}
