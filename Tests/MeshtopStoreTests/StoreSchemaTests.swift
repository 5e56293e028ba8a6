import Foundation
import GRDB
import MeshtopModel
import MeshtopStore
import Testing

@Suite struct StoreSchemaTests {
    static let contract: [String: [String]] = [
        "spans": [
            "trace_id", "span_id", "parent_id", "service", "name", "kind", "start_us", "duration_us", "error",
            "status", "status_message", "peer_service", "attributes", "events", "links",
        ],
        "logs": ["id", "time_us", "service", "host", "severity", "message", "trace_id", "span_id", "attributes"],
        "log_blocks": ["first_id", "last_id", "min_time_us", "max_time_us", "rows"],
        "log_zones": ["service", "last_id", "first_id", "min_time_us", "max_time_us", "rows", "ids"],
        "metric_rollups": [
            "time_us", "interval_us", "name", "type", "tags", "service", "count", "sum", "rate", "min", "max",
            "mean", "p50", "p90", "p95", "p99", "std", "last", "uniq", "exemplars",
        ],
        "service_rollups": [
            "minute_us", "service", "requests", "errors", "sum_us", "max_us", "satisfied", "tolerating", "histogram",
        ],
        "edge_rollups": ["minute_us", "caller", "callee", "calls", "errors", "sum_us", "max_us", "histogram"],
        "breakers": [
            "caller", "callee", "source", "state", "failure_rate", "slow_call_rate", "calls_in_window",
            "would_reject", "since_us", "last_call_us", "transitions",
        ],
        "breaker_transitions": [
            "id", "caller", "callee", "source", "at_us", "from_state", "to_state", "failure_rate", "slow_call_rate",
            "calls", "failed_calls", "slow_calls",
        ],
        "alerts": [
            "fingerprint", "rule", "severity", "labels", "state", "value", "since_us", "fired_at_us",
            "resolved_at_us", "summary",
        ],
        "alert_history": [
            "id", "fingerprint", "rule", "severity", "labels", "from_state", "to_state", "at_us", "value", "summary",
        ],
        "collector_counters": ["name", "value"],
        "collector_gauges": ["name", "value", "updated_us"],
        "rejects": ["id", "at_us", "reason", "source", "sample"],
        "meta": ["key", "value"],
        "health_thresholds": [
            "position", "match", "apdex_t_us", "latency_objective_us", "error_rate_degraded", "error_rate_failing",
            "min_apdex", "updated_us",
        ],
        "limit_stats": ["minute_us", "rule", "service", "caller", "callee", "passed", "blocked", "queued"],
        "service_concurrency": ["minute_us", "service", "max_inflight", "p99_inflight", "levels"],
    ]

    func checkContract(_ store: MeshtopStore) throws {
        try store.read { (db: Database) throws in
            for (table, columns) in Self.contract {
                let actual = try db.columns(in: table).map(\.name)
                #expect(actual == columns, "table \(table)")
            }
            #expect(try db.tableExists("logs_fts"))
            // Migration v2: FTS5 merges at 8 segments per level instead of its default 4.
            #expect(try Int.fetchOne(db, sql: "SELECT v FROM logs_fts_config WHERE k = 'automerge'") == 8)
            #expect(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema'") == "meshtop v1")
        }
        #expect(Set(store.rowCounts().keys) == Set(Self.contract.keys))
    }

    @Test func inMemoryStoreHasEveryContractTable() throws {
        try checkContract(try MeshtopStore.inMemory())
    }

    @Test func fileStoreHasEveryContractTableAndWAL() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let store = try MeshtopStore.open(path: dir.path("nested/deeper/meshtop.db"))
        try checkContract(store)
        try store.read { (db: Database) throws in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA synchronous") == 1)
        }
        #expect(store.databaseBytes() > 0)
    }

    @Test func reopeningRunsNoMigrationTwice() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("m.db")
        let created = try MeshtopStore.open(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'created_us'")
        }
        let again = try MeshtopStore.open(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'created_us'")
        }
        #expect(created != nil)
        #expect(created == again)
    }

    @Test func traceIDBlobsAreBigEndianAndPrefixRangesBracketThem() throws {
        let t = Fixture.trace
        #expect(
            [UInt8](t.databaseBlob) == [
                0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
            ])
        #expect(TraceID(databaseBlob: t.databaseBlob) == t)
        #expect(SpanID(databaseBlob: SpanID(0xABCD).databaseBlob) == SpanID(0xABCD))
        let range = try #require(TraceID.databaseBlobRange(hexPrefix: "0123F"))
        #expect([UInt8](range.lower).prefix(3) == [0x01, 0x23, 0xF0])
        #expect([UInt8](try #require(range.upper)).prefix(3) == [0x01, 0x24, 0x00])
        #expect(TraceID.databaseBlobRange(hexPrefix: "ff")?.upper == nil)
        #expect(TraceID.databaseBlobRange(hexPrefix: "xyz") == nil)
        let inRange = try #require(TraceID.databaseBlobRange(hexPrefix: "0123456789abcdeffedc"))
        #expect(!t.databaseBlob.lexicographicallyPrecedes(inRange.lower))
        #expect(t.databaseBlob.lexicographicallyPrecedes(try #require(inRange.upper)))
    }
}
