import Foundation
import GRDB
import MeshtopBench
import MeshtopModel
import MeshtopStore
import Testing

@Suite struct TraceLookupTests {
    /// 70,000 spans cross the first bucket boundary (65,536 rows): one trace has spans on both sides.
    @Test func traceSpansAndLogsAreFoundAcrossBuckets() throws {
        let store = try MeshtopStore.inMemory()
        let target = TraceID(high: 0xAAAA, low: 0xBBBB)
        var gen = StoreBenchmark.Generator(seed: 3)
        try store.write(
            WriteBatch(
                spans: [Fixture.span(trace: target, id: 1, start: 5)],
                logs: [
                    Fixture.log("first", time: 5, trace: target)
                ]))
        var written = 1
        while written < 70_000 {
            let spans = gen.spans(5_000)
            written += spans.count
            try store.write(WriteBatch(spans: spans, logs: gen.logs(5_000)))
        }
        try store.write(
            WriteBatch(
                spans: [Fixture.span(trace: target, id: 2, parent: 1, start: 9)],
                logs: [
                    Fixture.log("last", time: 9, trace: target)
                ]))
        let spans = try store.spans(traceID: target).map(\.span)
        #expect(spans.map(\.spanID) == [SpanID(1), SpanID(2)])
        #expect(try store.logs(traceID: target).map(\.log.message) == ["first", "last"])
        let sample = try #require(gen.sampledTraceIDs.last)
        #expect(try store.spans(traceID: sample).allSatisfy { $0.span.traceID == sample })
        #expect(try !store.spans(traceID: sample).isEmpty)
        try store.read { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(DISTINCT bucket) FROM spans_by_trace") == 2)
            let plan = try String.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN " + TraceLookup.spansOfTraceSQL,
                arguments: [target.databaseBlob]
            ).joined(separator: " ")
            #expect(!plan.contains("SCAN spans"))
        }
    }

    @Test func hexPrefixFindsMatchingTraceIDs() throws {
        let store = try MeshtopStore.inMemory()
        let ids = [
            TraceID(hex: "abc10000000000000000000000000001")!, TraceID(hex: "ABC20000000000000000000000000002")!,
            TraceID(hex: "abd00000000000000000000000000003")!, TraceID(hex: "ffffffffffffffffffffffffffffffff")!,
        ]
        try store.write(WriteBatch(spans: ids.enumerated().map { Fixture.span(trace: $1, id: UInt64($0 + 1)) }))
        #expect(try store.traceIDs(hexPrefix: "abc") == [ids[0], ids[1]])
        #expect(try store.traceIDs(hexPrefix: "ABC2") == [ids[1]])
        #expect(try store.traceIDs(hexPrefix: "ab", limit: 2) == [ids[0], ids[1]])
        #expect(try store.traceIDs(hexPrefix: "fff") == [ids[3]])
        #expect(try store.traceIDs(hexPrefix: "0") == [])
        #expect(try store.traceIDs(hexPrefix: "zz") == [])
    }

    @Test func prunedTraceBucketsAreDropped() throws {
        let store = try MeshtopStore.inMemory()
        // 3,500 entries in one dead bucket take several key-range chunks (chunks start at 100 rows).
        try store.write(WriteBatch(spans: (1...3_500).map { Fixture.span(id: UInt64($0), start: Int64($0)) }))
        let result = try store.prune(rawOlderThan: 10_000, rollupsOlderThan: 0)
        #expect(result.deleted["spans_by_trace"] == 3_500)
        #expect(try store.spans(traceID: Fixture.trace).isEmpty)
        try store.read { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM spans_by_trace") == 0)
        }
    }
}
