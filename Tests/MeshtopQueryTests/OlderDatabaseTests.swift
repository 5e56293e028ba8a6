import Foundation
import GRDB
import MeshtopModel
import MeshtopQuery
import MeshtopStore
import Testing

/// A database last written by an earlier meshtop (before `v4-health-thresholds` … `v8-metric-exemplars`) is read
/// as it is by this version's read-only queries and console: upgrading the binary before the collector must not
/// break `query` with "no such column: spans.links". Readers never migrate (they open read-only); what the older
/// schema lacks reads as absent: no links, no exemplars, no stored thresholds (defaults), no limits, no in-flight.
@Suite struct OlderDatabaseTests {
    typealias F = FixtureDatabase

    /// Writes the fixture with this version, then takes the file back to the schema of migration `v3` as an
    /// earlier version left it: the later columns and tables dropped, their migrations forgotten.
    static func olderDatabase(at path: String) throws {
        do {
            let store = try MeshtopStore.open(path: path)
            try store.write(F.batch())
        }
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    DROP TABLE health_thresholds; DROP TABLE limit_stats; DROP TABLE service_concurrency;
                    DROP TABLE log_blocks; DROP TABLE log_zones;
                    CREATE INDEX logs_time ON logs(time_us);
                    CREATE INDEX logs_service_time ON logs(service, time_us);
                    ALTER TABLE spans DROP COLUMN links; ALTER TABLE metric_rollups DROP COLUMN exemplars;
                    DELETE FROM grdb_migrations WHERE identifier NOT IN ('v1', 'v2-fts-automerge', 'v3-application-id');
                    DROP TABLE IF EXISTS logs_fts;
                    CREATE VIRTUAL TABLE logs_fts USING fts5(message, content='logs', content_rowid='id');
                    INSERT INTO logs_fts(logs_fts) VALUES ('rebuild');
                    DELETE FROM meta WHERE key IN ('database_id', 'logs_deleted_through');
                    """)
        }
        // The index kept its own file only from this version on.
        for suffix in ["-fts", "-fts-wal", "-fts-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test func everyQueryReadsADatabaseOfAnEarlierVersion() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshtop-older-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.db").path
        try Self.olderDatabase(at: path)

        let reader = try MeshtopStore.openReadOnly(path: path)
        let columns = try reader.sql("SELECT name FROM pragma_table_info('spans')", limit: nil).rows
        #expect(!columns.contains([.text("links")]), "the downgrade did not happen")
        let old = MeshtopQueries(reader: reader)
        let current = try F.queries()

        #expect(
            try old.trace(idOrPrefix: F.traceA.hex)?.spans.map(\.name)
                == current.trace(idOrPrefix: F.traceA.hex)?.spans.map(\.name))
        #expect(try old.trace(idOrPrefix: F.traceA.hex)?.spans.allSatisfy { $0.links.isEmpty } == true)
        #expect(
            try old.traces(TraceSearch(window: F.window)).map(\.traceID)
                == current.traces(TraceSearch(window: F.window)).map(\.traceID))
        #expect(
            try old.logs(LogSearch(window: F.window)).map(\.id) == current.logs(LogSearch(window: F.window)).map(\.id))
        for service in ["orders", "payments"] {
            let search = LogSearch(window: F.window, service: service)
            #expect(try old.logs(search).map(\.id) == current.logs(search).map(\.id), "\(service)")
        }
        // The earlier full-text index (with token positions) answers this version's token queries alike.
        for text in ["declined", "card-declined", "declined-card", "order created", "second line"] {
            #expect(
                try old.logs(LogSearch(window: F.window, text: text)).map(\.record.message)
                    == current.logs(LogSearch(window: F.window, text: text)).map(\.record.message), "\(text)")
        }
        #expect(try old.logs(LogSearch(window: F.window, text: "card-declined")).count == 1)
        #expect(try old.logs(LogSearch(window: F.window, text: "declined-card")).isEmpty)

        let services = try old.services(window: F.window)
        #expect(services.map(\.service) == (try current.services(window: F.window)).map(\.service))
        #expect(services.allSatisfy { $0.inflightMax == nil })
        #expect(try old.topology(window: F.window).edges.count == current.topology(window: F.window).edges.count)
        #expect(try old.limits(window: F.window).isEmpty)
        let metrics = try old.metrics(MetricSearch(window: F.window))
        #expect(metrics.map(\.name) == (try current.metrics(MetricSearch(window: F.window))).map(\.name))
        #expect(try old.breakers().count == current.breakers().count)
        #expect(try old.alerts(state: nil, nowMicros: F.t0).count == current.alerts(state: nil, nowMicros: F.t0).count)
        _ = try old.collectorStatus()
    }

    /// A collector of this version opening the older file migrates it: the index in the database is dropped and
    /// one in its own file (`PATH-fts`, `detail=none`, contentless) is built from every existing message, so the
    /// rows written before the upgrade are found.
    @Test func theWriterMigratesTheOlderFullTextIndex() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshtop-older-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.db").path
        try Self.olderDatabase(at: path)
        let store = try MeshtopStore.open(path: path)
        #expect(try store.logIndexTail() > 0, "the rows written before wait for the new index")
        #expect(try store.indexLogs(maxRows: .max) == 0)
        #expect(try store.sql("SELECT sql FROM sqlite_master WHERE name = 'logs_fts'", limit: nil).rows.isEmpty)
        let definition = try store.sql("SELECT sql FROM fts.sqlite_master WHERE name = 'logs_fts'", limit: nil).rows
        #expect(definition.first?.first.map { "\($0)".contains("detail=none") } == true)
        #expect(definition.first?.first.map { "\($0)".contains("content=") } == true)
        let queries = MeshtopQueries(reader: store)
        #expect(try queries.logs(LogSearch(window: F.window, text: "card-declined")).count == 1)
        #expect(try queries.logs(LogSearch(window: F.window, text: "declined-card")).isEmpty)
        #expect(try queries.logs(LogSearch(window: F.window, text: "cache")).map(\.record.message) == ["cache miss"])
        // `v10-log-blocks`: the rows written before get blocks and zones, and windows find them through those.
        let current = try F.queries()
        #expect(try store.sql("SELECT count(*) FROM log_blocks", limit: nil).rows == [[.integer(1)]])
        #expect(try current.logs(LogSearch(window: F.window, service: "orders")).count == 2)
        #expect(
            try queries.logs(LogSearch(window: F.window)).map(\.id)
                == current.logs(LogSearch(window: F.window)).map(\.id))
        for service in ["orders", "payments"] {
            let search = LogSearch(window: F.window, service: service)
            #expect(try queries.logs(search).map(\.id) == current.logs(search).map(\.id), "\(service)")
        }
    }
}
