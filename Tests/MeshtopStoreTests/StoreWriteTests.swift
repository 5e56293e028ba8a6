import Foundation
import GRDB
import MeshtopModel
import MeshtopStore
import Testing

@Suite struct StoreWriteTests {
    @Test func spansRoundTripWithBlobIDsAndJSON() throws {
        let store = try MeshtopStore.inMemory()
        let attrs = [Attribute("http.status_code", .int(500)), Attribute("note", .string("a \"q\"\u{1b}"))]
        let events = [SpanEvent(timeMicros: 1_000_100, name: "retry", attributes: [Attribute("n", .int(2))])]
        let root = Fixture.span(id: 0x1111, attributes: attrs, events: events)
        let child = Fixture.span(id: 0x2222, parent: 0x1111, service: "payments", start: 1_000_500)
        let other = Fixture.span(trace: TraceID(high: 0, low: 7), id: 0x3333)
        try store.write(WriteBatch(spans: [child, root, other]))

        let stored = try store.spans(traceID: Fixture.trace)
        let got = stored.map(\.span)
        #expect(got.map(\.spanID) == [SpanID(0x1111), SpanID(0x2222)])
        let r = try #require(got.first)
        let json = try #require(stored.first)
        #expect(r.traceID == Fixture.trace)
        #expect(r.parentID == nil)
        #expect(got[1].parentID == SpanID(0x1111))
        #expect(r.service == "orders" && r.name == "GET /orders" && r.kind == .server)
        #expect(r.startMicros == 1_000_000 && r.durationMicros == 2_500)
        #expect(r.isError && r.status == .error && r.statusMessage == "boom" && r.peerService == "db")
        #expect(json.attributesJSON == #"{"http.status_code":500,"note":"a \"q\"\u001b"}"#)
        #expect(json.eventsJSON == #"[{"time":1000100,"name":"retry","attributes":{"n":2}}]"#)

        try store.read { (db: Database) throws in
            let hex = try String.fetchOne(
                db, sql: "SELECT hex(trace_id) FROM spans WHERE span_id = ?", arguments: [SpanID(0x1111).databaseBlob])
            #expect(hex?.lowercased() == Fixture.trace.hex)
            #expect(try Int.fetchOne(db, sql: "SELECT length(span_id) FROM spans LIMIT 1") == 8)
            let short = try String.fetchOne(
                db, sql: "SELECT hex(trace_id) FROM spans WHERE span_id = x'0000000000003333'")
            #expect(short == "00000000000000000000000000000007")
        }
        #expect(try store.spans(traceID: TraceID(high: 1, low: 1)).isEmpty)
    }

    @Test func logsRoundTripAndFullTextSearchFindsAWord() throws {
        let store = try MeshtopStore.inMemory()
        try store.write(
            WriteBatch(logs: [
                Fixture.log("payment declined for order 42", trace: Fixture.trace),
                Fixture.log("connection refused by upstream", time: 2_000_000),
                Fixture.log("all good", time: 3_000_000),
            ]))
        let logs = try store.logs(traceID: Fixture.trace)
        #expect(logs.count == 1)
        let log = try #require(logs.first?.log)
        #expect(log.message == "payment declined for order 42")
        #expect(log.traceID == Fixture.trace && log.spanID == SpanID(0x2222))
        #expect(log.severity == .error && log.host == "node-1" && log.service == "orders")
        #expect(log.timeMicros == 1_000_000)
        #expect(logs.first?.attributesJSON == #"{"k":"v"}"#)
        let hits = try store.read { (db: Database) throws in
            try String.fetchAll(
                db,
                sql: """
                    SELECT logs.message FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid
                    WHERE logs_fts MATCH ? ORDER BY logs_fts.rowid DESC
                    """, arguments: ["refused"])
        }
        #expect(hits == ["connection refused by upstream"])
        // `detail=none`: the index answers token queries; the reader checks a word's tokens for order.
        let both = try store.read { (db: Database) throws in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH '\"declined\" \"for\"'")
        }
        #expect(both == 1)
        let window = TimeWindow(sinceMicros: 0, untilMicros: 10_000_000)
        #expect(
            try store.logs(LogSearch(window: window, text: "declined-for")).map(\.record.message) == [
                "payment declined for order 42"
            ])
        #expect(try store.logs(LogSearch(window: window, text: "for-declined")).isEmpty)
    }

    @Test func metricRollupsStoreTypeAndSortedTags() throws {
        let store = try MeshtopStore.inMemory()
        let rollup = MetricRollup(
            timeMicros: 10_000_000, intervalMicros: 10_000_000, name: "orders.latency", type: .timer,
            tags: ["zone:b", "env:prod"], service: "orders", count: 3, sum: 30, p99: 12.5, unique: nil)
        try store.write(WriteBatch(metricRollups: [rollup]))
        let row = try store.read { (db: Database) throws in
            try Row.fetchOne(db, sql: "SELECT type, tags, count, sum, p99, min, uniq FROM metric_rollups")
        }
        let r = try #require(row)
        #expect(r["type"] as String == "timer")
        #expect(r["tags"] as String == "env:prod,zone:b")
        #expect(r["count"] as Double == 3 && r["sum"] as Double == 30 && r["p99"] as Double == 12.5)
        #expect(r["min"] as Double? == nil && r["uniq"] as Int? == nil)
    }

    @Test func rollupsBreakersAndAlertsAreUpserted() throws {
        let store = try MeshtopStore.inMemory()
        func svc(_ requests: Int64) -> ServiceRollup {
            ServiceRollup(
                minuteMicros: 60_000_000, service: "orders", requests: requests, errors: 1, sumMicros: 10,
                maxMicros: 5, satisfied: 1, tolerating: 0, histogram: [1, 2])
        }
        func edge(_ calls: Int64) -> EdgeRollup {
            EdgeRollup(
                minuteMicros: 60_000_000, caller: "frontend", callee: "orders", calls: calls, errors: 0,
                sumMicros: 1, maxMicros: 1, histogram: [9])
        }
        func breaker(_ state: BreakerState) -> BreakerStatus {
            BreakerStatus(
                caller: "frontend", callee: "orders", source: .simulated, state: state, failureRate: 60,
                slowCallRate: nil, callsInWindow: 100, wouldReject: 3, sinceMicros: 5, lastCallMicros: 6,
                transitions: 1)
        }
        func alert(_ state: AlertState) -> AlertStatus {
            AlertStatus(
                rule: "HighErrors", severity: "page", labels: [Attribute("service", .string("orders"))], state: state,
                value: 0.2, sinceMicros: 1, summary: "errors high")
        }
        try store.write(
            WriteBatch(
                serviceRollups: [svc(10)], edgeRollups: [edge(4)], breakerStatuses: [breaker(.closed)],
                alertStatuses: [alert(.pending)]))
        try store.write(
            WriteBatch(
                serviceRollups: [svc(25)], edgeRollups: [edge(9)], breakerStatuses: [breaker(.open)],
                breakerTransitions: [
                    BreakerTransition(
                        caller: "frontend", callee: "orders", atMicros: 7, from: .closed, to: .open, failureRate: 60,
                        slowCallRate: nil, calls: 100, failedCalls: 60, slowCalls: 0)
                ],
                alertStatuses: [alert(.firing)],
                alertTransitions: [
                    AlertTransition(
                        rule: "HighErrors", severity: "page", labels: [Attribute("service", .string("orders"))],
                        from: .pending, to: .firing, atMicros: 8, value: 0.2, summary: "errors high")
                ]))
        try store.read { (db: Database) throws in
            #expect(try Int.fetchAll(db, sql: "SELECT requests FROM service_rollups") == [25])
            #expect(try Int.fetchAll(db, sql: "SELECT calls FROM edge_rollups") == [9])
            #expect(try String.fetchAll(db, sql: "SELECT state FROM breakers") == ["open"])
            #expect(try String.fetchAll(db, sql: "SELECT source FROM breakers") == ["simulated"])
            #expect(try String.fetchAll(db, sql: "SELECT state FROM alerts") == ["firing"])
            let fingerprints = try String.fetchAll(db, sql: "SELECT fingerprint FROM alerts")
            #expect(fingerprints == [#"HighErrors{service="orders"}"#])
            #expect(try String.fetchAll(db, sql: "SELECT labels FROM alerts") == [#"{"service":"orders"}"#])
            #expect(try String.fetchAll(db, sql: "SELECT to_state FROM breaker_transitions") == ["open"])
            let history = try Row.fetchAll(db, sql: "SELECT fingerprint, from_state, to_state FROM alert_history")
            #expect(history.count == 1)
            #expect(history.first?["fingerprint"] as String? == #"HighErrors{service="orders"}"#)
            #expect(history.first?["to_state"] as String? == "firing")
        }
    }

    @Test func countersAccumulateAndGaugesReplace() throws {
        let store = try MeshtopStore.inMemory()
        try store.write(WriteBatch(counterDeltas: ["lines": 10, "parsed.spans": 4], gauges: ["queue_depth": 3]))
        try store.write(WriteBatch(counterDeltas: ["lines": 5, "dropped": 1], gauges: ["queue_depth": 7]))
        #expect(try store.counters() == ["lines": 15, "parsed.spans": 4, "dropped": 1])
        #expect(try store.gauges()["queue_depth"]?.value == 7)
        #expect(try (store.gauges()["queue_depth"]?.updatedMicros ?? 0) > 1_700_000_000_000_000)
    }

    @Test func rejectsKeepOnlyTheLastHundred() throws {
        let store = try MeshtopStore.inMemory()
        func rejects(_ range: Range<Int>) -> [RejectRecord] {
            range.map { RejectRecord(atMicros: Int64($0), reason: .statsd, source: "udp", sample: "line \($0)") }
        }
        try store.write(WriteBatch(rejects: rejects(0..<70)))
        try store.write(WriteBatch(rejects: rejects(70..<150)))
        let recent = try store.recentRejects(limit: 1000)
        #expect(recent.count == 100)
        #expect(recent.first?.sample == "line 149")
        #expect(recent.last?.sample == "line 50")
        #expect(recent.first?.reason == .statsd)
        try store.write(WriteBatch(rejects: rejects(150..<400)))
        #expect(try store.recentRejects(limit: 1000).map(\.sample).last == "line 300")
        #expect(store.rowCounts()["rejects"] == 100)
    }

    @Test func emptyBatchIsEmptyAndWritesNothing() throws {
        let store = try MeshtopStore.inMemory()
        #expect(WriteBatch().isEmpty)
        #expect(!WriteBatch(counterDeltas: ["x": 1]).isEmpty)
        try store.write(WriteBatch())
        #expect(store.rowCounts().filter { $0.key != "meta" }.values.allSatisfy { $0 == 0 })
    }
}

@Suite struct AlertViewReplacementTests {
    func alert(_ rule: String, _ state: AlertState) -> AlertStatus {
        AlertStatus(
            rule: rule, severity: "page", labels: [Attribute("service", .string("orders"))], state: state,
            value: 1, sinceMicros: 1, summary: rule)
    }

    @Test func aReplacingBatchDropsAlertsThatLeftTheActiveView() throws {
        let store = try MeshtopStore.inMemory()
        var first = WriteBatch(alertStatuses: [alert("A", .pending), alert("B", .firing)])
        first.replacesAlertView = true
        try store.write(first)
        // A was a pending alert whose condition went away: Prometheus drops it without a resolve.
        var second = WriteBatch(alertStatuses: [alert("B", .firing)])
        second.replacesAlertView = true
        try store.write(second)
        let rules = try store.read { db in try String.fetchAll(db, sql: "SELECT rule FROM alerts ORDER BY rule") }
        #expect(rules == ["B"])
        // An empty view is still a view: every row goes.
        var third = WriteBatch()
        third.replacesAlertView = true
        #expect(!third.isEmpty)
        try store.write(third)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM alerts") } == 0)
        // Plain upserts (no view) keep other rows.
        try store.write(WriteBatch(alertStatuses: [alert("C", .firing)]))
        try store.write(WriteBatch(alertStatuses: [alert("D", .pending)]))
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM alerts") } == 2)
    }
}
