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
                SELECT (SELECT count(*) FROM logs) AS logs, (SELECT count(*) FROM logs_fts_docsize) AS indexed,
                    (SELECT count(*) FROM meta WHERE key = 'fts_indexed_through') AS marks
                """
            ).first)
        #expect(state["logs"] as Int == 11)
        #expect(state["indexed"] as Int == 11)
        #expect(state["marks"] as Int == 0)
        let hits = try h.rows(
            "SELECT logs.message FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid WHERE logs_fts MATCH 'declined'")
        #expect(hits.map { $0["message"] as String } == ["payment declined for order 17"])
    }
}
