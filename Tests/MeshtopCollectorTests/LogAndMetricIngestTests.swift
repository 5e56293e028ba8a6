import Foundation
import GRDB
import Testing

@testable import MeshtopCollector

/// Real UDP on loopback: syslog and StatsD/DogStatsD fixtures in, stored logs and metric rollups out.
@Suite struct LogAndMetricIngestTests {
    @Test func loggerSyslogStoresElevenLogsWithSeverities() async throws {
        let h = try await Harness()
        try await h.sendAndStop(try Fixture.datagrams("syslog_logger"))
        let rows = try h.rows("SELECT service, severity, message FROM logs ORDER BY id")
        #expect(rows.map { $0["severity"] as Int } == [3, 4, 6, 7, 5, 6, 3, 3, 4, 6, 3])
        #expect(Set(rows.map { $0["service"] as String }) == ["checkout"])
        #expect(rows[0]["message"] as String == "payment declined for order 17")
        #expect(rows[5]["message"] as String == "café ✓ naïve")
        // Log ↔ trace correlation ids from the JSON message.
        let linked = try h.rows(
            "SELECT count(*) n FROM logs WHERE lower(hex(trace_id)) = 'b8a1abcd1a6916c74da4f9fc3c6da5d7'")
        #expect(linked[0]["n"] as Int == 2)
        #expect(try h.counters()["parsed.logs"] == 11)
    }

    @Test func pythonSysLogHandlerStoresNineLogs() async throws {
        let h = try await Harness()
        try await h.sendAndStop(try Fixture.datagrams("syslog_python"))
        let rows = try h.rows("SELECT service, severity, message FROM logs ORDER BY id")
        #expect(rows.map { $0["severity"] as Int } == [6, 3, 4, 7, 4, 7, 2, 6, 3])
        #expect(rows.map { $0["message"] as String }.first == "hello")
        #expect(rows[4]["service"] as String == "inventory")
        #expect(rows[4]["message"] as String == "stock low for sku 42")
        #expect(rows[8]["service"] as String == "billing")
    }

    @Test func statsdRollupsFollowEtsySemantics() async throws {
        let h = try await Harness()
        try await h.sendAndStop(try Fixture.datagrams("statsd"))
        func rollup(_ name: String) throws -> Row {
            try #require(try h.rows("SELECT * FROM metric_rollups WHERE name = '\(name)'").first, "\(name) missing")
        }
        #expect(try rollup("checkout.orders")["count"] as Double == 8)
        let latency = try rollup("checkout.latency")
        #expect(latency["count"] as Double == 3)
        #expect(latency["min"] as Double == 7)
        #expect(latency["max"] as Double == 250)
        #expect(latency["sum"] as Double == 269.5)
        #expect(try rollup("checkout.queue")["last"] as Double == -7)
        #expect(try rollup("checkout.users")["uniq"] as Int == 2)
        #expect(try rollup("payments.charges")["service"] as String == "payments")
        let c = try h.counters()
        #expect(c["received_datagrams"] == 17)
        #expect(c["lines"] == 21)
        #expect(c["parsed.metrics"] == 21)
    }

    @Test func dogstatsdStoresMetricsEventsAndServiceChecks() async throws {
        let h = try await Harness()
        try await h.sendAndStop(try Fixture.datagrams("dogstatsd"))
        let adds = try h.rows("SELECT count, tags, service FROM metric_rollups WHERE name = 'cart.adds'")
        #expect(adds.count == 3)
        #expect(adds.allSatisfy { $0["service"] as String == "cart" })
        let backlog = try h.rows("SELECT time_us, last FROM metric_rollups WHERE name = 'cart.backlog'")
        #expect(backlog.first?["time_us"] as Int64? == 1_764_190_000_000_000)
        let logs = try h.rows("SELECT service, severity, message FROM logs ORDER BY id")
        #expect(logs.count == 4)
        #expect(logs.allSatisfy { $0["service"] as String == "cart" })
        let c = try h.counters()
        #expect(c["parsed.metrics"] == 12)
        #expect(c["parsed.logs"] == 4)
        #expect(c["rejected.malformed_dogstatsd_event"] == nil)
    }
}
