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

    /// Logs also leave the full-text index, which needs each row's original message. They are found through
    /// `log_blocks` (no per-row time index): the block with the oldest row before `cutoff` first, its old rows
    /// deleted in chunks, then its bounds narrowed to the rows left (`LogZones.shrinkBlock`). With the index in its
    /// own file (`LogTextIndex`), only rows already indexed are deleted (the index lags the writer by seconds;
    /// a row not yet indexed goes at the next prune) and their entries are removed after each chunk's commit;
    /// otherwise in the chunk's transaction.
    mutating func deleteLogs(olderThan cutoff: Int64) throws {
        let textIndex = store.textIndex
        let indexedThrough = try textIndex?.indexedThrough()
        var deletedRows: [(id: Int64, message: String)] = []
        try loop(table: "logs") { db, limit in
            guard let (first, last) = try LogZones.oldestBlock(before: cutoff, db) else { return (0, false) }
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, message FROM logs WHERE id BETWEEN ? AND min(?, ?) AND time_us < ? ORDER BY id LIMIT ?
                        """),
                arguments: [first, last, indexedThrough ?? .max, cutoff, limit])
            let rowDelete = try db.cachedStatement(sql: "DELETE FROM logs WHERE id = ?")
            if textIndex != nil, let lastRow = rows.last {
                for row in rows {
                    let id: Int64 = row[0]
                    try rowDelete.execute(arguments: [id])
                    deletedRows.append((id, row[1]))
                }
                try LogTextIndex.recordDeleted(through: lastRow[0], db)
            } else if textIndex != nil {
                // None left below the mark: the block is done unless rows not yet indexed wait in it.
                let waiting = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM logs WHERE id BETWEEN ? AND ? AND time_us < ? LIMIT 1"),
                    arguments: [first, last, cutoff])
                if waiting != nil { return (0, false) }
            } else {
                let ftsDelete = try db.cachedStatement(
                    sql: "INSERT INTO logs_fts(logs_fts, rowid, message) VALUES ('delete', ?, ?)")
                // Rows above the deferred index's mark have no FTS row yet; a 'delete' for them would corrupt it.
                let ftsMark = try MeshtopStore.ftsIndexedThrough(db) ?? .max
                for row in rows {
                    let id: Int64 = row[0]
                    if id <= ftsMark { try ftsDelete.execute(arguments: [id, row[1] as String]) }
                    try rowDelete.execute(arguments: [id])
                }
            }
            if rows.count < limit { try LogZones.shrinkBlock(first: first, last: last, db) }
            return (rows.count, true)
        } afterCommit: {
            // Committed: the rows are gone, so their entries may go (a crash in between leaves entries without
            // rows, which searches never return: they join on `logs`).
            try textIndex?.forget(deletedRows)
            deletedRows.removeAll(keepingCapacity: true)
        }
    }

    /// Runs `body(db, limit)` in successive write transactions until it reports no more work. `body` returns
    /// the rows it deleted and whether more may remain. The chunk size adapts to the transaction's own time
    /// (wall time minus time spent waiting for a CPU), so a busy machine does not shrink chunks to nothing.
    private mutating func loop(
        table: String, _ body: (Database, Int) throws -> (Int, Bool), afterCommit: () throws -> Void = {}
    ) throws {
        var limit = chunk[table] ?? 100
        while true {
            let start = SystemClock.monotonicSeconds()
            let queued = RunQueueTime.threadSeconds()
            let (n, more) = try store.writer.write { db in try body(db, limit) }
            try afterCommit()
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
