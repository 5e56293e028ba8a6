import Foundation
import MeshtopModel
import MeshtopPostgres
import MeshtopStore
import Testing

/// Against a real server: `MESHTOP_TEST_PG_URL=postgresql://postgres@127.0.0.1:PORT/postgres swift test --filter
/// MeshtopPostgresTests` (`.ci/postgres/run.sh` starts one). Without it each test prints a notice and passes.
enum TestServer {
    static let url: PostgresURL? = {
        guard let text = ProcessInfo.processInfo.environment["MESHTOP_TEST_PG_URL"], !text.isEmpty else {
            print("notice: MESHTOP_TEST_PG_URL is not set; PostgreSQL tests skipped (.ci/postgres/run.sh runs them)")
            return nil
        }
        return try? PostgresURL(text)
    }()

    /// A new empty database for one test, dropped after `body`.
    static func withDatabase(_ body: (PostgresURL) throws -> Void) throws {
        guard let url else {
            print("notice: PostgreSQL test skipped (MESHTOP_TEST_PG_URL unset)")
            return
        }
        let name = "meshtop_test_\(UInt32.random(in: 0...UInt32.max))"
        let db = try PostgresAdmin.createDatabase(url, name: name)
        defer { try? PostgresAdmin.dropDatabase(url, name: name) }
        try body(db)
    }
}

func span(_ trace: UInt64, _ id: UInt64, service: String, at: Int64, parent: UInt64? = nil, error: Bool = false)
    -> Span
{
    Span(
        traceID: TraceID(high: 0xABCD, low: trace), spanID: SpanID(id), parentID: parent.map(SpanID.init),
        service: service, name: "GET /x", kind: .server, startMicros: at, durationMicros: 1500, isError: error,
        status: error ? .error : .ok, statusMessage: error ? "boom" : nil, peerService: nil,
        attributes: [Attribute("http.method", .string("GET")), Attribute("n", .int(3))],
        events: [SpanEvent(timeMicros: at + 5, name: "retry", attributes: [Attribute("k", .bool(true))])])
}

@Suite(.serialized) struct PostgresStoreTests {
    let now = SystemClock.wallMicros()

    @Test func writesAndReadsBack() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "c1", leaderElection: false)
            defer { store.close() }
            var batch = WriteBatch(
                spans: [
                    span(1, 10, service: "api", at: now - 2000),
                    span(1, 11, service: "db", at: now - 1000, parent: 10, error: true),
                ],
                logs: [
                    LogRecord(
                        timeMicros: now - 500, service: "api", host: "h1", severity: .error,
                        message: "payment declined for order 42", traceID: TraceID(high: 0xABCD, low: 1),
                        spanID: SpanID(10), attributes: [Attribute("order", .int(42))])
                ],
                metricRollups: [
                    MetricRollup(
                        timeMicros: now - 1000, intervalMicros: 10_000_000, name: "checkout.latency", type: .timer,
                        tags: ["env:prod"], service: "api", count: 3, p99: 12.5)
                ],
                serviceRollups: [
                    ServiceRollup(
                        minuteMicros: now / 60_000_000 * 60_000_000, service: "api", requests: 5, errors: 1,
                        sumMicros: 100, maxMicros: 50, satisfied: 4, tolerating: 1, histogram: [1, 2, 3])
                ],
                counterDeltas: ["lines": 7], gauges: ["lines_per_s": 2.5])
            batch.rejects = [RejectRecord(atMicros: now, reason: .statsd, source: "udp x", sample: "{")]
            try store.write(batch)
            try store.write(WriteBatch(counterDeltas: ["lines": 3]))

            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            #expect(try reader.counters()["lines"] == 10)
            #expect(try reader.gauges()["lines_per_s"]?.value == 2.5)
            #expect(try reader.recentRejects(limit: 10).count == 1)
            #expect(reader.rowCounts()["spans"] == 2)
            let window = TimeWindow(sinceMicros: now - 60_000_000, untilMicros: now + 1)
            let traces = try reader.traceSpans(TraceSearch(window: window, errorsOnly: true))
            #expect(traces.count == 1 && traces[0].count == 2)
            let tagged = try reader.traceSpans(
                TraceSearch(window: window, tags: [Attribute("http.method", .string("GET"))]))
            #expect(tagged.count == 1)
            guard case .found(let id, let spans, let logs) = try reader.trace(hexPrefix: "000000000000abcd0000") else {
                Issue.record("trace not found by prefix")
                return
            }
            #expect(id == TraceID(high: 0xABCD, low: 1))
            #expect(spans.map(\.spanID) == [SpanID(10), SpanID(11)])
            #expect(spans[0].attributes == [Attribute("http.method", .string("GET")), Attribute("n", .int(3))])
            #expect(spans[0].events.first?.attributes == [Attribute("k", .bool(true))])
            #expect(spans[1].statusMessage == "boom" && spans[0].statusMessage == nil)
            #expect(logs.count == 1 && logs[0].attributes == [Attribute("order", .int(42))])
            let found = try reader.logs(LogSearch(window: window, text: "declined ORDER"))
            #expect(found.map(\.record.message) == ["payment declined for order 42"])
            #expect(try reader.logs(LogSearch(window: window, text: "refund")).isEmpty)
            let metrics = try reader.metricFlushes(
                MetricSearch(window: window, nameGlob: "checkout.*", tags: ["env:prod"]))
            #expect(metrics.count == 1 && metrics[0].p99 == 12.5 && metrics[0].sum == nil)
            let services = try reader.serviceWindow(
                fromMinute: now - 3_600_000_000, until: now + 60_000_000, knownSince: 0)
            #expect(services.rollups.first?.histogram == [1, 2, 3])
            #expect(try reader.latestEventMicros() == now - 500)
            let result = try reader.sql("SELECT count(*) AS n FROM spans", limit: nil)
            #expect(result.columns == ["n"] && result.rows == [[.integer(2)]])
            #expect(throws: SQLStatementError.self) { try reader.sql("DELETE FROM spans", limit: nil) }
            #expect(throws: SQLStatementError.self) { try reader.sql("SELEC nonsense", limit: nil) }
            #expect(throws: (any Error).self) { try reader.write(WriteBatch(counterDeltas: ["x": 1])) }
        }
    }

    @Test func linksExemplarsAndConcurrencyRoundTrip() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "c1", leaderElection: false)
            defer { store.close() }
            var linked = span(7, 70, service: "worker", at: now - 3000)
            linked.links = [
                SpanLink(
                    traceID: TraceID(high: 1, low: 2), spanID: SpanID(3),
                    attributes: [Attribute("why", .string("batch"))])
            ]
            var rollup = MetricRollup(
                timeMicros: now - 1000, intervalMicros: 10_000_000, name: "jobs", type: .counter, tags: [],
                service: "worker", count: 4)
            rollup.exemplarTraceIDs = [TraceID(high: 0xAB, low: 0xCD), TraceID(high: 0, low: 9)]
            let minute = now / 60_000_000 * 60_000_000
            var batch = WriteBatch(
                spans: [linked, span(7, 71, service: "worker", at: now - 2000)], metricRollups: [rollup])
            batch.governanceExtras.concurrency = [
                ServiceConcurrency(
                    minuteMicros: minute, service: "worker", maxInFlight: 3, p99InFlight: 2, levels: [1, 2, 3])
            ]
            try store.write(batch)

            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            guard case .found(_, let spans, _) = try reader.trace(hexPrefix: TraceID(high: 0xABCD, low: 7).hex) else {
                Issue.record("trace not found")
                return
            }
            #expect(spans.map(\.links.count) == [1, 0])
            #expect(spans[0].links.first?.traceID == TraceID(high: 1, low: 2))
            #expect(spans[0].links.first?.spanID == SpanID(3))
            #expect(spans[0].links.first?.attributes == [Attribute("why", .string("batch"))])
            let window = TimeWindow(sinceMicros: now - 60_000_000, untilMicros: now + 1)
            let metrics = try reader.metricFlushes(MetricSearch(window: window, nameGlob: "jobs"))
            #expect(metrics.first?.exemplarTraceIDs == [TraceID(high: 0xAB, low: 0xCD), TraceID(high: 0, low: 9)])
            let services = try reader.serviceWindow(fromMinute: minute, until: minute + 60_000_000, knownSince: 0)
            #expect(
                services.concurrency == [
                    ServiceConcurrency(
                        minuteMicros: minute, service: "worker", maxInFlight: 3, p99InFlight: 2, levels: [1, 2, 3])
                ])
        }
    }

    @Test func twoCollectorsPartialRollupsAndCounters() throws {
        try TestServer.withDatabase { url in
            let a = try PostgresStore.open(url: url, collectorID: "a", leaderElection: false)
            let b = try PostgresStore.open(url: url, collectorID: "b", leaderElection: false)
            defer { a.close(); b.close() }
            let minute = now / 60_000_000 * 60_000_000
            func rollup(_ n: Int64) -> ServiceRollup {
                ServiceRollup(
                    minuteMicros: minute, service: "api", requests: n, errors: 0, sumMicros: n * 10, maxMicros: 10,
                    satisfied: n, tolerating: 0, histogram: [UInt8(n)])
            }
            try a.write(WriteBatch(serviceRollups: [rollup(3)], counterDeltas: ["lines": 3]))
            try b.write(WriteBatch(serviceRollups: [rollup(4)], counterDeltas: ["lines": 4]))
            try a.write(WriteBatch(serviceRollups: [rollup(5)]))  // a's newer partial replaces its older one
            let window = try a.serviceWindow(fromMinute: minute, until: minute + 60_000_000, knownSince: minute)
            #expect(window.rollups.map(\.requests).sorted() == [4, 5])
            #expect(window.known == ["api"])
            #expect(try a.counters()["lines"] == 7)
        }
    }

    @Test func oneLeaderWritesGovernanceAndAnotherTakesOver() throws {
        try TestServer.withDatabase { url in
            let a = try PostgresStore.open(url: url, collectorID: "a", retrySeconds: 0.2)
            let b = try PostgresStore.open(url: url, collectorID: "b", retrySeconds: 0.2)
            defer { b.close() }
            #expect(a.isLeader != b.isLeader)
            let (leader, follower) = a.isLeader ? (a, b) : (b, a)
            func breaker(_ caller: String) -> BreakerStatus {
                BreakerStatus(
                    caller: caller, callee: "db", source: .simulated, state: .open, failureRate: 60,
                    slowCallRate: nil, callsInWindow: 10, wouldReject: 0, sinceMicros: now, lastCallMicros: now,
                    transitions: 1)
            }
            try leader.write(WriteBatch(breakerStatuses: [breaker("from-leader")]))
            try follower.write(WriteBatch(breakerStatuses: [breaker("from-follower")]))
            #expect(try leader.breakers().map(\.caller) == ["from-leader"])
            // The leader's connection dies (as with kill -9): the follower takes over at its next try.
            try PostgresAdmin.terminateLeader(url)
            let deadline = Date().addingTimeInterval(10)
            while !follower.isLeader && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            #expect(follower.isLeader)
            try follower.write(WriteBatch(breakerStatuses: [breaker("new-leader")]))
            #expect(Set(try follower.breakers().map(\.caller)) == ["from-leader", "new-leader"])
            if follower !== a { a.close() }
        }
    }

    @Test func pruneDropsWholeDayPartitions() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "c", leaderElection: false)
            defer { store.close() }
            let day: Int64 = 86_400_000_000
            let today = now / day * day
            try store.write(
                WriteBatch(spans: [
                    span(1, 1, service: "a", at: today - 2 * day + 5), span(2, 2, service: "a", at: today - day + 5),
                    span(3, 3, service: "a", at: now),
                ]))
            let result = try store.prune(rawOlderThan: today - day + 10, rollupsOlderThan: 0, maxBytes: nil)
            #expect(result.deleted["spans partitions"] == 1)
            #expect(store.rowCounts()["spans"] == 2)
            // Old data outside the partition window goes to the default partition and is deleted by row.
            try store.write(WriteBatch(spans: [span(4, 4, service: "a", at: today - 90 * day)]))
            _ = try store.prune(rawOlderThan: today - 80 * day, rollupsOlderThan: 0, maxBytes: nil)
            #expect(store.rowCounts()["spans"] == 2)
        }
    }

    @Test func unreachableServerSaysSoWithoutThePassword() throws {
        let url = try PostgresURL("postgresql://meshtop:s3cret@127.0.0.1:1/meshtop")
        do {
            _ = try PostgresStore.openReadOnly(url: url)
            Issue.record("opened a store on port 1")
        } catch let error as PostgresStoreError {
            #expect(error.isUnavailable)
            #expect(!error.description.contains("s3cret"))
            #expect(error.description.contains("postgresql://meshtop@127.0.0.1:1/meshtop"))
        }
    }
}

@Suite struct PostgresURLTests {
    @Test func parsesAndHidesThePassword() throws {
        let url = try PostgresURL("postgresql://alice:p%40ss@db.example:6543/tele?sslmode=require", environment: [:])
        #expect(url.user == "alice" && url.host == "db.example" && url.port == 6543 && url.database == "tele")
        #expect(url.sslMode == .require)
        #expect(url.password == "p@ss" || url.password == "p%40ss")
        #expect(url.description == "postgresql://alice@db.example:6543/tele?sslmode=require")
        #expect(PostgresURL.isURL("postgres://x@y/z") && !PostgresURL.isURL("/var/lib/meshtop.db"))
        #expect(throws: PostgresStoreError.self) {
            try PostgresURL("postgresql://a@b/c?sslmode=maybe", environment: [:])
        }
    }

    @Test func passwordFromEnvironmentThenPgpass() throws {
        let env = try PostgresURL("postgresql://bob@h/db", environment: ["PGPASSWORD": "fromenv"])
        #expect(env.password == "fromenv" && env.port == 5432)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)").path
        try "# comment\nother:5432:*:bob:no\nh:5432:db:b\\:ob:esc\nh:*:*:bob:yes\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        #expect(try PostgresURL("postgresql://bob@h/db", environment: ["PGPASSFILE": file]).password == "yes")
        #expect(try PostgresURL("postgresql://b:ob@h/db", environment: ["PGPASSFILE": file]).user == "b")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        #expect(try PostgresURL("postgresql://bob@h/db", environment: ["PGPASSFILE": file]).password == nil)
    }
}
