import MeshtopGovernance
import MeshtopModel
import MeshtopQuery
import Testing

/// The use cases on the fixture database, checked through their exact JSON output.
@Suite struct QueryUseCaseTests {
    let q: MeshtopQueries
    typealias F = FixtureDatabase

    init() throws { q = try F.queries() }

    func json(_ table: OutputTable) -> String { JSONRenderer.array(table.records) }

    /// The percentile (ms, as JSON prints it) of per-minute histograms after the store's encode/decode and a merge.
    func stored(_ minutes: [[Int64]], _ p: Double) -> String {
        var merged = LatencyHistogram()
        for m in minutes { merged.merge(LatencyHistogram(decoding: F.histogram(m).encode())!) }
        return JSONText.number((Double(merged.percentile(p)) / 1000 * 1000).rounded() / 1000)
    }

    @Test func servicesMergeHistogramsAndEvaluateHealth() throws {
        let rows = try q.services(window: F.window)
        let f = F.frontendMinutes
        let orders = [Array(repeating: Int64(20_000), count: 50)]
        let payments = [Array(repeating: Int64(30_000), count: 20)]
        // frontend's percentiles are those of the two minutes' histograms merged: averaging the minutes' p99
        // (10 ms and 200 ms) would give about 105 ms.
        #expect(rows[0].p99Ms > 199 && rows[0].p99Ms <= 200)
        #expect(
            json(Records.services(rows)) == """
                [
                {"service":"frontend","requests":100,"errors":0,"error_rate":0,"rps":0.111111,\
                "p50_ms":\(stored(f, 50)),"p90_ms":\(stored(f, 90)),"p99_ms":\(stored(f, 99)),\
                "max_ms":200,"inflight_max":5,"inflight_p99":3,"inflight_mean":1.017,"apdex":1,"health":"healthy"},
                {"service":"inventory","requests":0,"errors":0,"error_rate":0,"rps":0,"p50_ms":0,"p90_ms":0,\
                "p99_ms":0,"max_ms":0,"inflight_max":null,"inflight_p99":null,"inflight_mean":null,"apdex":null,\
                "health":"idle"},
                {"service":"orders","requests":50,"errors":1,"error_rate":0.02,"rps":0.055556,\
                "p50_ms":\(stored(orders, 50)),"p90_ms":\(stored(orders, 90)),"p99_ms":\(stored(orders, 99)),\
                "max_ms":20,"inflight_max":null,"inflight_p99":null,"inflight_mean":null,"apdex":1,\
                "health":"degraded"},
                {"service":"payments","requests":20,"errors":0,"error_rate":0,"rps":0.022222,\
                "p50_ms":\(stored(payments, 50)),"p90_ms":\(stored(payments, 90)),\
                "p99_ms":\(stored(payments, 99)),"max_ms":30,"inflight_max":null,"inflight_p99":null,\
                "inflight_mean":null,"apdex":1,"health":"failing"}
                ]
                """)
        // Sparklines: one bucket per minute of the 15-minute window; frontend's two minutes first.
        #expect(rows[0].rateSeries.count == 15)
        #expect(rows[0].rateSeries.prefix(3) == [50.0 / 60, 50.0 / 60, 0])
        #expect(rows[0].p99Series[0] < 11 && rows[0].p99Series[1] > 199)
    }

    @Test func tracesNewestFirstWithRootAndFilters() throws {
        let all = try q.traces(TraceSearch(window: F.window))
        #expect(
            json(Records.traces(all)) == """
                [
                {"trace_id":"0000000000000000abcdef0123456789","root_service":"orders","root_operation":"consume",\
                "start":"2026-11-26T10:00:02.000000Z","duration_ms":5,"span_count":1,"services":["orders"],\
                "error":false},
                {"trace_id":"4bf9000000000000000000000000000b","root_service":"frontend",\
                "root_operation":"GET /home","start":"2026-11-26T10:00:01.000000Z","duration_ms":10,\
                "span_count":1,"services":["frontend"],"error":false},
                {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","root_service":"frontend",\
                "root_operation":"GET /checkout","start":"2026-11-26T10:00:00.000000Z","duration_ms":120,\
                "span_count":5,"services":["frontend","orders","payments"],"error":true}
                ]
                """)
        func ids(_ s: TraceSearch) throws -> [TraceID] { try q.traces(s).map(\.traceID) }
        #expect(try ids(TraceSearch(window: F.window, service: "payments")) == [F.traceA])
        #expect(try ids(TraceSearch(window: F.window, operation: "GET /home")) == [F.traceB])
        #expect(try ids(TraceSearch(window: F.window, errorsOnly: true)) == [F.traceA])
        #expect(try ids(TraceSearch(window: F.window, minDurationMicros: 100_000)) == [F.traceA])
        #expect(try ids(TraceSearch(window: F.window, maxDurationMicros: 6_000)) == [F.traceC])
        #expect(try ids(TraceSearch(window: F.window, limit: 1)) == [F.traceC])
        let post = [Attribute("http.method", .string("POST"))]
        #expect(try ids(TraceSearch(window: F.window, tags: post)) == [F.traceA])
        let status = [Attribute("http.status_code", .string("201"))]
        #expect(try ids(TraceSearch(window: F.window, tags: status)) == [F.traceA])
        #expect(try ids(TraceSearch(window: F.window, tags: [Attribute("error", .string("true"))])) == [F.traceA])
        #expect(try ids(TraceSearch(window: F.window, tags: post + [Attribute("card", .string("visa"))])) == [])
        let later = TimeWindow(sinceMicros: F.t0 + 500_000, untilMicros: F.t0 + 1_500_000)
        #expect(try ids(TraceSearch(window: later)) == [F.traceB])
    }

    @Test func traceByPrefixWithSpansAttributesAndEvents() throws {
        let detail = try #require(try q.trace(idOrPrefix: "4BF92F"))
        #expect(detail.traceID == F.traceA)
        #expect(detail.spans.map(\.spanID.raw) == [1, 2, 3, 4, 5])
        #expect(detail.spans == F.spans().filter { $0.traceID == F.traceA })
        #expect(detail.logs.map(\.message) == ["charge failed: card declined", "order created"])
        let text = JSONRenderer.encode(Records.trace(detail))
        #expect(
            text.hasPrefix(
                """
                {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[{"span_id":"0000000000000001","parent_id":null,\
                "service":"frontend","name":"GET /checkout","kind":"server","start":"2026-11-26T10:00:00.000000Z",\
                "duration_ms":120,"error":false,"attributes":{},"events":[],"links":[]},
                """))
        #expect(
            text.contains(
                """
                {"span_id":"0000000000000004","parent_id":"0000000000000003","service":"payments","name":"charge",\
                "kind":"server","start":"2026-11-26T10:00:00.020000Z","duration_ms":40,"error":true,\
                "attributes":{"error":true,"card":"visa"},"events":[{"time":"2026-11-26T10:00:00.050000Z",\
                "name":"declined","attributes":{"code":51}}],"links":[]}
                """))
    }

    @Test func ambiguousPrefixUnknownAnd64BitIds() throws {
        #expect(throws: QueryError.ambiguous(prefix: "4bf9", matches: 2)) { try q.trace(idOrPrefix: "4bf9") }
        #expect(try q.trace(idOrPrefix: "4bf90")?.traceID == F.traceB)
        #expect(try q.trace(idOrPrefix: "ffff") == nil)
        #expect(try q.trace(idOrPrefix: "abcdef0123456789")?.traceID == F.traceC)
        #expect(try q.trace(idOrPrefix: "0000000000000000abcdef0123456789")?.traceID == F.traceC)
        #expect(throws: QueryError.self) { try q.trace(idOrPrefix: "xyz") }
    }

    @Test func topologyMergesEdgesWithBreakersAndNodeHealth() throws {
        let t = try q.topology(window: F.window)
        #expect(
            JSONRenderer.encode(Records.topology(t)) == """
                {"nodes":[{"service":"frontend","health":"healthy"},{"service":"inventory","health":"idle"},\
                {"service":"orders","health":"degraded"},{"service":"payments","health":"failing"}],\
                "edges":[{"caller":"frontend","callee":"orders","calls":50,"errors":1,"error_rate":0.02,\
                "rps":0.055556,"p99_ms":\(stored([Array(repeating: 25_000, count: 50)], 99)),"breaker":"closed"},\
                {"caller":"orders","callee":"payments","calls":20,"errors":0,"error_rate":0,"rps":0.022222,\
                "p99_ms":\(stored([Array(repeating: 35_000, count: 20)], 99)),"breaker":"open"}]}
                """)
    }

    @Test func logsFiltersAndEscapedJSON() throws {
        let all = try q.logs(LogSearch(window: F.window))
        #expect(all.map(\.record.service) == ["payments", "orders", "frontend", "orders"])
        let evil = try q.logs(LogSearch(window: F.window, service: "frontend"))
        #expect(
            json(Records.logs(evil)) == """
                [
                {"time":"2026-11-26T10:00:00.050000Z","service":"frontend","host":"web-1","severity":"warn",\
                "message":"evil \\u001b[2J title, with \\"quotes\\"\\nand a second line","trace_id":null,\
                "span_id":null,"attributes":{}}
                ]
                """)
        func messages(_ s: LogSearch) throws -> [String] { try q.logs(s).map(\.record.message) }
        #expect(try messages(LogSearch(window: F.window, minSeverity: .warning)).count == 2)
        #expect(try messages(LogSearch(window: F.window, text: "card declined")) == ["charge failed: card declined"])
        #expect(try messages(LogSearch(window: F.window, text: "declined \"OR\" missing")) == [])
        #expect(try messages(LogSearch(window: F.window, traceID: F.traceA)).count == 2)
        #expect(try messages(LogSearch(window: F.window, limit: 1)) == ["cache miss"])
        let first = try #require(all.first?.id)
        #expect(
            try messages(LogSearch(window: F.window, limit: 2, afterID: first))
                == ["order created", all[2].record.message])
        let rows = try q.logs(LogSearch(window: F.window, limit: 1))
        #expect(JSONRenderer.encode(.object(Records.logs(rows).records[0].fields)).contains("\"attributes\":{}"))
    }

    @Test func metricsAggregatePerType() throws {
        let rows = try q.metrics(MetricSearch(window: F.window, nameGlob: "checkout.*"))
        #expect(
            json(Records.metrics(rows)) == """
                [
                {"name":"checkout.latency","type":"timer","tags":["env:prod"],"count":10,"sum":130,\
                "rate":0.011111111111111112,"min":2,"max":30,"mean":13,"p50":14,"p90":28,"p95":29,"p99":30},
                {"name":"checkout.queue","type":"gauge","tags":[],"last":7},
                {"name":"checkout.requests","type":"counter","tags":["env:prod"],"count":30,\
                "rate":0.03333333333333333},
                {"name":"checkout.users","type":"set","tags":[],"unique":5}
                ]
                """)
        #expect(
            try q.metrics(MetricSearch(window: F.window, tags: ["env:prod"])).map(\.name)
                == ["checkout.latency", "checkout.requests"])
        #expect(try q.metrics(MetricSearch(window: F.window, tags: ["env:pro"])).isEmpty)
        #expect(try q.metrics(MetricSearch(window: F.window)).count == 5)
    }

    @Test func breakersAndHistory() throws {
        #expect(
            json(Records.breakers(try q.breakers())) == """
                [
                {"caller":"frontend","callee":"orders","state":"closed","source":"simulated","failure_rate":null,\
                "slow_call_rate":null,"calls_in_window":50,"would_reject":0,"since":"2026-11-26T10:00:00.000000Z",\
                "transitions":0},
                {"caller":"orders","callee":"payments","state":"open","source":"simulated","failure_rate":60,\
                "slow_call_rate":0,"calls_in_window":100,"would_reject":7,"since":"2026-11-26T10:00:30.000000Z",\
                "transitions":1}
                ]
                """)
        let history = try q.breakerHistory(caller: "orders", callee: nil, limit: 10)
        #expect(history.map { "\($0.from.rawValue)->\($0.to.rawValue)" } == ["closed->open"])
        #expect(try q.breakerHistory(caller: "frontend", callee: nil, limit: 10).isEmpty)
    }

    @Test func alertsActiveViewAndHistory() throws {
        let now = F.t0 + 10 * F.minute
        #expect(try q.alerts(state: nil, nowMicros: now).map(\.rule) == ["HighErrorRate", "SlowP99", "RecentResolved"])
        #expect(try q.alerts(state: nil, nowMicros: F.t0 + 30 * F.minute).map(\.rule) == ["HighErrorRate", "SlowP99"])
        #expect(try q.alerts(state: .resolved, nowMicros: now).map(\.rule) == ["OldResolved", "RecentResolved"])
        #expect(
            json(Records.alerts(try q.alerts(state: .firing, nowMicros: now))) == """
                [
                {"rule":"HighErrorRate","severity":"page","labels":{"service":"orders"},"state":"firing",\
                "value":0.02,"since":"2026-11-26T10:00:00.000000Z","fired_at":"2026-11-26T10:01:00.000000Z",\
                "resolved_at":null,"summary":"orders error rate 2%"}
                ]
                """)
        #expect(try q.alertHistory(limit: 5).map(\.to) == [.firing])
    }

    @Test func rawSQLReadsAndRefusesWrites() throws {
        let r = try q.sql("SELECT service, count(*) AS n FROM spans GROUP BY service ORDER BY service")
        #expect(r.columns == ["service", "n"])
        #expect(
            r.rows == [
                [.text("frontend"), .integer(3)], [.text("orders"), .integer(3)], [.text("payments"), .integer(1)],
            ])
        #expect(throws: QueryError.self) { try q.sql("DELETE FROM spans") }
        #expect(throws: QueryError.self) { try q.sql("SELEC nonsense") }
        #expect(try q.sql("SELECT count(*) FROM spans").rows == [[.integer(7)]])
    }

    @Test func latestEventAndCollectorStatus() throws {
        #expect(try q.latestEventMicros() == F.t0 + 10_000_000)
        let s = try q.collectorStatus()
        #expect(s.lines == 42)
        #expect(s.parsedSpans == 7)
        #expect(s.rejected == ["malformed_json": 2])
        #expect(s.linesPerSecond == 3.5)
    }
}
