import Foundation
import GRDB
import MeshtopBench
import MeshtopModel
import MeshtopStore
import Testing

@Suite struct StorePruneTests {
    static let minute: Int64 = 60_000_000

    func seeded(_ store: MeshtopStore) throws {
        var batch = WriteBatch()
        for i in 0..<300 {
            let t = Int64(i) * 1_000_000
            batch.spans.append(Fixture.span(trace: TraceID(high: 0, low: UInt64(i + 1)), id: UInt64(i + 1), start: t))
            batch.logs.append(Fixture.log("event number \(i) refused", time: t))
        }
        for m in 0..<10 {
            batch.serviceRollups.append(
                ServiceRollup(
                    minuteMicros: Int64(m) * Self.minute, service: "orders", requests: 1, errors: 0, sumMicros: 1,
                    maxMicros: 1, satisfied: 1, tolerating: 0, histogram: []))
            batch.metricRollups.append(
                MetricRollup(
                    timeMicros: Int64(m) * Self.minute, intervalMicros: 10_000_000, name: "x", type: .counter,
                    tags: [], service: "x", count: 1))
        }
        try store.write(batch)
    }

    @Test func pruneRemovesOldRowsAndKeepsNewOnes() throws {
        let store = try MeshtopStore.inMemory()
        try seeded(store)
        let result = try store.prune(rawOlderThan: 100_000_000, rollupsOlderThan: 5 * Self.minute)
        #expect(result.deleted["spans"] == 100)
        #expect(result.deleted["logs"] == 100)
        #expect(result.deleted["service_rollups"] == 5)
        #expect(result.deleted["metric_rollups"] == 5)
        try store.read { (db: Database) throws in
            #expect(try Int64.fetchOne(db, sql: "SELECT min(start_us) FROM spans") == 100_000_000)
            #expect(try Int64.fetchOne(db, sql: "SELECT min(time_us) FROM logs") == 100_000_000)
            #expect(try Int64.fetchOne(db, sql: "SELECT min(minute_us) FROM service_rollups") == 5 * Self.minute)
            // The FTS index forgot the deleted rows: only kept logs match.
            let hits = try Int.fetchOne(db, sql: "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'refused'")
            #expect(hits == 200)
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
        }
        #expect(try store.logs(traceID: Fixture.trace).isEmpty)
        #expect(try store.spans(traceID: TraceID(high: 0, low: 150)).count == 1)
        #expect(try store.spans(traceID: TraceID(high: 0, low: 50)).isEmpty)
    }

    @Test func pruneToMaxBytesDropsTheOldestRawDataFirst() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let store = try MeshtopStore.open(path: dir.path("p.db"))
        var gen = StoreBenchmark.Generator(seed: 7)
        for _ in 0..<4 { try store.write(WriteBatch(spans: gen.spans(2_000), logs: gen.logs(2_000))) }
        let before = try store.usedBytes()
        let newest = try store.read { db in try Int64.fetchOne(db, sql: "SELECT max(start_us) FROM spans") }
        let limit = before / 2
        let result = try store.prune(rawOlderThan: 0, rollupsOlderThan: 0, maxBytes: limit)
        #expect(result.usedBytesBefore == before)
        #expect(result.usedBytesAfter <= limit)
        #expect((result.deleted["spans"] ?? 0) > 0 && (result.deleted["logs"] ?? 0) > 0)
        #expect(result.transactions > 1)
        try store.read { (db: Database) throws in
            #expect(try Int64.fetchOne(db, sql: "SELECT max(start_us) FROM spans") == newest)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM spans")! > 0)
        }
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func pruneUnderTheLimitDeletesNothing() throws {
        let store = try MeshtopStore.inMemory()
        try seeded(store)
        let result = try store.prune(rawOlderThan: 0, rollupsOlderThan: 0, maxBytes: 1 << 40)
        #expect(result.totalDeleted == 0)
        #expect(store.rowCounts()["spans"] == 300)
    }

    @Test func pruneOnAReadOnlyStoreIsRefused() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("ro.db")
        _ = try MeshtopStore.open(path: path)
        let reader = try MeshtopStore.openReadOnly(path: path)
        #expect(throws: StoreError.readOnly(path)) { try reader.prune(rawOlderThan: 1, rollupsOlderThan: 1) }
    }
}
