import Foundation
import GRDB
import MeshtopModel
import MeshtopStore

extension MeshtopQueries {
    static let logColumns = """
        SELECT logs.id, time_us, service, host, severity, logs.message, trace_id, span_id, attributes FROM logs
        """

    /// Logs in the window matching every filter. Without `afterID`: the newest `limit` records (by time; by
    /// arrival with `text`), returned oldest first (like `tail`). With `afterID` (follow mode): the records
    /// stored after that row id, oldest first.
    /// `text` is matched with FTS5: every word must occur in the message (words are quoted, so FTS5 operators in
    /// the text are matched literally).
    public func logs(_ search: LogSearch) throws -> [LogRow] {
        var filter = SQLFilter()
        let match = search.text.flatMap(Self.ftsQuery)
        // With text, FTS5 walks its matches newest rowid first and the LIMIT stops it early.
        filter.add("logs_fts MATCH ?", ifPresent: match)
        // Follow mode walks the rowid range after `afterID`; `+time_us` keeps SQLite off the time index, which
        // would otherwise scan the whole window on every refresh of a live tail.
        let time = search.afterID == nil ? "time_us" : "+time_us"
        filter.add("\(time) >= ? AND \(time) < ?", search.window.sinceMicros, search.window.untilMicros)
        filter.add(search.afterID == nil ? "service = ?" : "+service = ?", ifPresent: search.service)
        filter.add("severity <= ?", ifPresent: search.minSeverity?.rawValue)
        // A trace id probes the `logs_trace` buckets (docs/storage.md, "Trace lookups"), never `trace_id = ?` alone.
        filter.add("(logs.id >> 16) IN log_buckets AND trace_id = ?", ifPresent: search.traceID?.databaseBlob)
        filter.add("id > ?", ifPresent: search.afterID)
        let source = match == nil ? Self.logColumns : Self.logColumns + " JOIN logs_fts ON logs_fts.rowid = logs.id"
        let order = search.afterID != nil ? "id" : match != nil ? "logs_fts.rowid DESC" : "time_us DESC, id DESC"
        let buckets = search.traceID == nil ? "" : "WITH RECURSIVE \(TraceLookup.logBucketsCTE) "
        let sql = buckets + source + filter.clause + " ORDER BY \(order) LIMIT \(max(search.limit, 1))"
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: sql, arguments: filter.arguments).map { try Self.logRow(db, $0) }
        }
        return search.afterID == nil ? rows.reversed() : rows
    }

    /// Quotes every whitespace-separated word as an FTS5 string (`"` doubled); nil when there is no word.
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard !words.isEmpty else { return nil }
        return words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " ")
    }

    static func logRow(_ db: Database, _ row: Row) throws -> LogRow {
        let stored = MeshtopStore.storedLog(row)
        var record = stored.log
        record.attributes = try JSONColumns.attributes(db, stored.attributesJSON)
        return LogRow(id: stored.id, record: record)
    }
}
