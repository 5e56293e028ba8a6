import GRDB

/// Deletes old rows in short write transactions whose size adapts so each stays near
/// `MeshtopStore.pruneTargetSeconds`; between them the collector's batches get the write lock.
struct ChunkedPruner {
    let store: MeshtopStore
    var deleted: [String: Int64] = [:]
    var transactions = 0
    var longestSeconds = 0.0
    private var chunk: [String: Int] = [:]

    init(store: MeshtopStore) { self.store = store }

    mutating func deleteRaw(olderThan cutoff: Int64) throws {
        try delete(table: "spans", timeColumn: "start_us", olderThan: cutoff)
        try deleteDeadTraceBuckets()
        try deleteLogs(olderThan: cutoff)
    }

    /// `spans_by_trace` entries of buckets older than the oldest remaining span (all of them when no span is
    /// left). Entries of live buckets whose span is gone stay until their bucket dies; lookups join on the span.
    mutating func deleteDeadTraceBuckets() throws {
        let sql = """
            DELETE FROM spans_by_trace WHERE (bucket, trace_id, span_rowid) IN (
                SELECT bucket, trace_id, span_rowid FROM spans_by_trace
                WHERE bucket < coalesce((SELECT min(rowid) FROM spans) >> 16, 9223372036854775807) LIMIT ?)
            """
        try loop(table: "spans_by_trace") { db, limit in
            try db.cachedStatement(sql: sql).execute(arguments: [limit])
            return db.changesCount
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
            return db.changesCount
        }
    }

    /// Logs also leave the external-content FTS index, which needs each row's original message.
    mutating func deleteLogs(olderThan cutoff: Int64) throws {
        try loop(table: "logs") { db, limit in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, message FROM logs WHERE time_us < ? ORDER BY time_us LIMIT ?"),
                arguments: [cutoff, limit])
            let ftsDelete = try db.cachedStatement(
                sql: "INSERT INTO logs_fts(logs_fts, rowid, message) VALUES ('delete', ?, ?)")
            let rowDelete = try db.cachedStatement(sql: "DELETE FROM logs WHERE id = ?")
            for row in rows {
                let id: Int64 = row[0]
                try ftsDelete.execute(arguments: [id, row[1] as String])
                try rowDelete.execute(arguments: [id])
            }
            return rows.count
        }
    }

    private mutating func loop(table: String, _ body: (Database, Int) throws -> Int) throws {
        var limit = chunk[table] ?? 1_000
        while true {
            let start = WallClock.monotonicSeconds()
            let n = try store.writer.write { db in try body(db, limit) }
            let elapsed = WallClock.monotonicSeconds() - start
            transactions += 1
            longestSeconds = max(longestSeconds, elapsed)
            deleted[table, default: 0] += Int64(n)
            if n < limit { break }
            let target = MeshtopStore.pruneTargetSeconds
            if elapsed > target * 1.5 {
                limit = max(50, limit / 2)
            } else if elapsed < target / 2 {
                limit = min(50_000, limit * 2)
            }
        }
        chunk[table] = limit
    }
}
