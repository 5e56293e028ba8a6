import Foundation
import GRDB
import MeshtopModel

/// Deletes old rows in short write transactions whose size adapts so each stays near
/// `MeshtopStore.pruneTargetSeconds`; between them the collector's batches get the write lock.
struct ChunkedPruner {
    let store: MeshtopStore
    var deleted: [String: Int64] = [:]
    var transactions = 0
    var longestSeconds = 0.0
    var longestOwnSeconds = 0.0
    var slowestTable: String?
    private var chunk: [String: Int] = [:]

    init(store: MeshtopStore) { self.store = store }

    mutating func deleteRaw(olderThan cutoff: Int64) throws {
        try delete(table: "spans", timeColumn: "start_us", olderThan: cutoff)
        try deleteDeadTraceBuckets()
        try deleteLogs(olderThan: cutoff)
    }

    /// `spans_by_trace` entries of buckets older than the oldest remaining span (all of them when no span is
    /// left), oldest bucket first, as key ranges. Entries of live buckets whose span is gone stay until their
    /// bucket dies; lookups join on the span.
    mutating func deleteDeadTraceBuckets() throws {
        try loop(table: "spans_by_trace") { db, limit in
            guard
                let bucket = try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT min(bucket) FROM spans_by_trace
                            WHERE bucket < coalesce((SELECT min(rowid) FROM spans) >> 16, 9223372036854775807)
                            """))
            else { return (0, false) }
            let boundary = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT trace_id, span_rowid FROM spans_by_trace WHERE bucket = ?
                        ORDER BY trace_id, span_rowid LIMIT 1 OFFSET ?
                        """), arguments: [bucket, limit])
            if let boundary {
                try db.cachedStatement(
                    sql: """
                        DELETE FROM spans_by_trace WHERE bucket = ? AND (trace_id, span_rowid) < (?, ?)
                        """
                ).execute(arguments: [bucket, boundary[0] as Data, boundary[1] as Int64])
            } else {
                try db.cachedStatement(sql: "DELETE FROM spans_by_trace WHERE bucket = ?")
                    .execute(arguments: [bucket])
            }
            return (db.changesCount, true)
        }
    }

    /// Deletes rows of a plain table whose time column is before `cutoff` (the column must be indexed).
    mutating func delete(table: String, timeColumn: String, olderThan cutoff: Int64) throws {
        let sql = """
            DELETE FROM \(table) WHERE rowid IN
                (SELECT rowid FROM \(table) WHERE \(timeColumn) < ? ORDER BY \(timeColumn) LIMIT ?)
            """
        try loop(table: table) { db, limit in
            try db.cachedStatement(sql: sql).execute(arguments: [cutoff, limit])
            return (db.changesCount, db.changesCount == limit)
        }
    }

    /// Logs also leave the external-content FTS index, which needs each row's original message. They are found
    /// through `log_blocks` (no per-row time index): the block with the oldest row before `cutoff` first, its old
    /// rows deleted in chunks, then its bounds narrowed to the rows left (`LogZones.shrinkBlock`).
    mutating func deleteLogs(olderThan cutoff: Int64) throws {
        try loop(table: "logs") { db, limit in
            guard let (first, last) = try LogZones.oldestBlock(before: cutoff, db) else { return (0, false) }
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id, message FROM logs WHERE id BETWEEN ? AND ? AND time_us < ? ORDER BY id LIMIT ?"),
                arguments: [first, last, cutoff, limit])
            let ftsDelete = try db.cachedStatement(
                sql: "INSERT INTO logs_fts(logs_fts, rowid, message) VALUES ('delete', ?, ?)")
            let rowDelete = try db.cachedStatement(sql: "DELETE FROM logs WHERE id = ?")
            // Rows above the deferred index's mark have no FTS row yet; a 'delete' for them would corrupt it.
            let indexedThrough = try MeshtopStore.ftsIndexedThrough(db) ?? .max
            for row in rows {
                let id: Int64 = row[0]
                if id <= indexedThrough { try ftsDelete.execute(arguments: [id, row[1] as String]) }
                try rowDelete.execute(arguments: [id])
            }
            if rows.count < limit { try LogZones.shrinkBlock(first: first, last: last, db) }
            return (rows.count, true)
        }
    }

    /// Runs `body(db, limit)` in successive write transactions until it reports no more work. `body` returns
    /// the rows it deleted and whether more may remain. The chunk size adapts to the transaction's own time
    /// (wall time minus time spent waiting for a CPU), so a busy machine does not shrink chunks to nothing.
    private mutating func loop(table: String, _ body: (Database, Int) throws -> (Int, Bool)) throws {
        var limit = chunk[table] ?? 100
        while true {
            let start = SystemClock.monotonicSeconds()
            let queued = RunQueueTime.threadSeconds()
            let (n, more) = try store.writer.write { db in try body(db, limit) }
            let elapsed = SystemClock.monotonicSeconds() - start
            let own = max(0, elapsed - (RunQueueTime.threadSeconds() - queued))
            transactions += 1
            longestSeconds = max(longestSeconds, elapsed)
            if own > longestOwnSeconds {
                longestOwnSeconds = own
                slowestTable = "\(table) (\(n) rows)"
            }
            deleted[table, default: 0] += Int64(n)
            if !more { break }
            let target = MeshtopStore.pruneTargetSeconds
            if own > target * 1.5 {
                limit = max(50, limit / 2)
            } else if own < target / 2 {
                limit = min(50_000, limit * 2)
            }
        }
        chunk[table] = limit
    }
}
