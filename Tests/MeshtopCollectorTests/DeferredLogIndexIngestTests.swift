import Foundation
import GRDB
import Testing

@testable import MeshtopCollector

/// The collector builds the log full-text index on a thread of its own, in the index's own file, beside the
/// writer (docs/storage.md, "Full-text search"), and leaves none of it to do when it stops.
@Suite struct DeferredLogIndexIngestTests {
    @Test func stoppingLeavesEveryLogIndexedInTheIndexFile() async throws {
        let h = try await Harness()
        try await h.sendAndStop(try Fixture.datagrams("syslog_logger"))
        let state = try #require(
            try h.rows(
                """
                SELECT (SELECT count(*) FROM logs) AS logs, (SELECT max(id) FROM logs) AS last,
                    (SELECT value FROM fts.fts_state WHERE key = 'indexed_through') AS mark,
                    (SELECT count(*) FROM main.sqlite_master WHERE name = 'logs_fts') AS inDatabase
                """
            ).first)
        #expect(state["logs"] as Int == 11)
        #expect(state["mark"] as Int == state["last"] as Int)
        #expect(state["inDatabase"] as Int == 0)
        let lag = try h.rows("SELECT value FROM collector_gauges WHERE name = 'log_index_lag'")
        #expect(lag.map { $0["value"] as Double } == [0])
        let hits = try h.rows(
            "SELECT logs.message FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid WHERE logs_fts MATCH 'declined'")
        #expect(hits.map { $0["message"] as String } == ["payment declined for order 17"])
        // Every row has its entry: each message's first word finds its row, and FTS5's own check of the index's
        // structure passes.
        let rows = try h.rows("SELECT id, message FROM logs").map { ($0["id"] as Int64, $0["message"] as String) }
        let queue = try DatabaseQueue(path: h.dbPath + "-fts")
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "INSERT INTO logs_fts(logs_fts, rank) VALUES ('integrity-check', 1)")
            for (id, message) in rows {
                let word = message.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).first.map(String.init)
                let ids = try Int64.fetchAll(
                    db, sql: "SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?", arguments: ["\"\(word ?? "")\""])
                #expect(ids.contains(id), "\(message)")
            }
        }
    }
}
