import GRDB
import MeshtopModel

/// How to find a trace's spans and logs without a random-key trace_id index (docs/storage.md, "Trace lookups").
///
/// Rows are grouped in buckets of 65,536 consecutive row ids (`rowid >> 16`). `spans_by_trace(bucket, trace_id,
/// span_rowid)` and the partial index `logs_trace ON logs(id >> 16, trace_id)` are ordered by bucket first, so
/// every insert lands in the newest bucket (a hot region of a few hundred pages) instead of a random page of a
/// large index. A lookup probes each live bucket once: `bucket IN (<buckets>) AND trace_id = ?` (or a blob range
/// for a hex prefix); 5,000,000 rows are 77 buckets, a fraction of a millisecond of b-tree probes.
///
/// Use these SQL fragments instead of `WHERE trace_id = ?`, which scans the table.
public enum TraceLookup {
    /// Row ids per bucket, as a shift: 2^16 = 65,536.
    public static let bucketShift: Int64 = 16

    /// A CTE `span_buckets(b)` listing the live span buckets; prepend with `WITH RECURSIVE`.
    public static let spanBucketsCTE = """
        span_buckets(b) AS (
            SELECT (SELECT max(rowid) FROM spans) >> 16
            UNION ALL SELECT b - 1 FROM span_buckets WHERE b > (SELECT min(rowid) FROM spans) >> 16)
        """

    /// A CTE `log_buckets(b)` listing the live log buckets; prepend with `WITH RECURSIVE`.
    public static let logBucketsCTE = """
        log_buckets(b) AS (
            SELECT (SELECT max(id) FROM logs) >> 16
            UNION ALL SELECT b - 1 FROM log_buckets WHERE b > (SELECT min(id) FROM logs) >> 16)
        """

    /// Every column of the spans of trace `?1` (a 16-byte blob), ordered by start time. One argument.
    /// `spans.*`, not a column list: a database of an earlier version (no `links` before `v7-span-links`) is read
    /// as it is, its missing columns nil (`StoredSpan(row:)` reads by name).
    public static let spansOfTraceSQL = """
        WITH RECURSIVE \(spanBucketsCTE)
        SELECT spans.*
        FROM spans_by_trace JOIN spans ON spans.rowid = spans_by_trace.span_rowid
        WHERE spans_by_trace.bucket IN span_buckets AND spans_by_trace.trace_id = ?1 AND spans.trace_id = ?1
        ORDER BY spans.start_us, spans.rowid
        """

    /// Distinct trace ids (blobs) in `[?1, ?2)`, e.g. from `TraceID.databaseBlobRange(hexPrefix:)`, at most `?3`.
    public static let traceIDsInRangeSQL = """
        WITH RECURSIVE \(spanBucketsCTE)
        SELECT DISTINCT trace_id FROM spans_by_trace
        WHERE bucket IN span_buckets AND trace_id >= ?1 AND trace_id < ?2
        ORDER BY trace_id LIMIT ?3
        """

    /// Every column of the logs of trace `?1`, `id` first, ordered by time. One argument.
    public static let logsOfTraceSQL = """
        WITH RECURSIVE \(logBucketsCTE)
        SELECT id, time_us, service, host, severity, message, trace_id, span_id, attributes FROM logs
        WHERE (id >> 16) IN log_buckets AND trace_id = ?1
        ORDER BY time_us, id
        """
}
