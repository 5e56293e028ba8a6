import Foundation
import GRDB
import Testing

@testable import MeshtopCollector

/// The collector's writer builds the log full-text index off the ingest path (docs/storage.md, "Full-text
/// search") and leaves none of it to do when it stops.
@Suite struct DeferredLogIndexIngestTests {
    @Test func stoppingLeavesEveryLogIndexedAndNoMark() async throws {
        let h = try await Harness()
        try await h.sendAndStop(try Fixture.datagrams("syslog_logger"))
        let state = try #require(
            try h.rows(
                """
                SELECT (SELECT count(*) FROM logs) AS logs,
                    (SELECT count(*) FROM meta WHERE key = 'fts_indexed_through') AS marks
                """
            ).first)
        #expect(state["logs"] as Int == 11)
        #expect(state["marks"] as Int == 0)
        let hits = try h.rows(
            "SELECT logs.message FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid WHERE logs_fts MATCH 'declined'")
        #expect(hits.map { $0["message"] as String } == ["payment declined for order 17"])
        // Every row is in the index: FTS5's check of the index against its content table fails on a missing one.
        try await DatabaseQueue(path: h.dbPath).writeWithoutTransaction { db in
            try db.execute(sql: "INSERT INTO logs_fts(logs_fts, rank) VALUES ('integrity-check', 1)")
        }
    }
}
