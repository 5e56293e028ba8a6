import Foundation
import GRDB
import Testing

@testable import MeshtopCollector

/// Real UDP on loopback: the fixtures' datagrams in, stored span rows out.
@Suite struct SpanIngestTests {
    @Test func jaegerThriftTraceStoresSixSpansWithParentsAndErrors() async throws {
        let h = try await Harness()
        try await h.sendAndStop(try Fixture.datagrams("jaeger_thrift_trace"), to: h.jaegerAddress)
        let rows = try h.rows(
            "SELECT lower(hex(trace_id)) t, lower(hex(span_id)) s, "
                + "CASE WHEN parent_id IS NULL THEN NULL ELSE lower(hex(parent_id)) END p, "
                + "service, name, error "
                + "FROM spans ORDER BY start_us")
        #expect(rows.count == 6)
        #expect(Set(rows.map { $0["t"] as String }) == ["b8a1abcd1a6916c74da4f9fc3c6da5d7"])
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["s"] as String, $0) })
        let expected: [(String, String?, String, String)] = [
            ("7a97c643656412a9", nil, "gateway", "GET /checkout"),
            ("1710cf5327ac435a", "7a97c643656412a9", "gateway", "POST orders"),
            ("0512bd1311072231", "1710cf5327ac435a", "orders", "POST /orders"),
            ("8ca5996666ceab36", "0512bd1311072231", "orders", "SELECT orders"),
            ("4a14876aeaff1a09", "0512bd1311072231", "orders", "POST payments"),
            ("fd724452ccea71ff", "4a14876aeaff1a09", "payments", "charge"),
        ]
        for (id, parent, service, name) in expected {
            let row = try #require(byID[id], "span \(id) missing")
            #expect(row["p"] as String? == parent)
            #expect(row["service"] as String == service)
            #expect(row["name"] as String == name)
        }
        // Error status on three spans; the two CLIENT spans are errors by HTTP 502 (SPEC §8); SELECT is not.
        let errors = Set(rows.filter { ($0["error"] as Int) == 1 }.map { $0["s"] as String })
        #expect(errors == Set(expected.map(\.0)).subtracting(["8ca5996666ceab36"]))
        let c = try h.counters()
        #expect(c["received_datagrams"] == 3)
        #expect(c["lines"] == 3)
        #expect(c["parsed.spans"] == 6)
        #expect(c["batches"] ?? 0 >= 1)
    }

    @Test func jaegerSplitBatchesArriveWholeAndStoreThirteenSpans() async throws {
        let h = try await Harness()
        let datagrams = try Fixture.datagrams("jaeger_thrift_split")
        #expect(datagrams.map(\.count).max() ?? 0 > 59_000)
        try await h.sendAndStop(datagrams, to: h.jaegerAddress)
        let rows = try h.rows("SELECT lower(hex(parent_id)) p, name, length(attributes) a FROM spans")
        #expect(rows.count == 13)
        #expect(rows.filter { $0["p"] as String? == "5c3902b38963dc6e" }.count == 12)
        #expect(rows.filter { ($0["a"] as Int) > 8_000 }.count == 12)
        #expect(try h.counters()["rejected.malformed_thrift"] == nil)
    }

    @Test func zipkinBodiesOnTheLineListener() async throws {
        let h = try await Harness()
        var datagrams = try Fixture.lines("zipkin_v2_http_bodies.jsonl")
        datagrams += [Array(try Data(contentsOf: Fixture.directory.appendingPathComponent("py_zipkin_v2.json")))]
        try await h.sendAndStop(datagrams)
        let rows = try h.rows("SELECT lower(hex(trace_id)) t, service, kind, error, peer_service FROM spans")
        #expect(rows.count == 9)
        let otel = rows.filter { $0["t"] as String == "b8a1abcd1a6916c74da4f9fc3c6da5d7" }
        #expect(otel.count == 6)
        #expect(Set(otel.map { $0["service"] as String }) == ["gateway", "orders", "payments"])
        // py_zipkin's 64-bit trace id is zero-extended.
        let py = rows.filter { $0["t"] as String == "0000000000000000f2a74de452e6b438" }
        #expect(py.count == 3)
        #expect(py.contains { $0["peer_service"] as String? == "warehouse" })
        #expect(try h.counters()["parsed.spans"] == 9)
    }
}
