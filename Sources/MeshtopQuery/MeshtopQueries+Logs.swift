import Foundation
import GRDB
import MeshtopModel
import MeshtopStore

extension MeshtopQueries {
    static let logColumns =
        "SELECT id, time_us, service, host, severity, message, trace_id, span_id, attributes FROM logs"

    /// Logs in the window matching every filter. Without `afterID`: the newest `limit` records, returned oldest
    /// first (like `tail`). With `afterID` (follow mode): the records stored after that row id, oldest first.
    /// `text` is matched with FTS5: every word must occur in the message (words are quoted, so FTS5 operators in
    /// the text are matched literally).
    public func logs(_ search: LogSearch) throws -> [LogRow] {
        var filter = SQLFilter()
        filter.add("time_us >= ? AND time_us < ?", search.window.sinceMicros, search.window.untilMicros)
        filter.add("service = ?", ifPresent: search.service)
        filter.add("severity <= ?", ifPresent: search.minSeverity?.rawValue)
        filter.add("trace_id = ?", ifPresent: search.traceID?.databaseBlob)
        filter.add(
            "id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)", ifPresent: search.text.flatMap(Self.ftsQuery))
        filter.add("id > ?", ifPresent: search.afterID)
        let order = search.afterID == nil ? "time_us DESC, id DESC" : "id"
        let sql = Self.logColumns + filter.clause + " ORDER BY \(order) LIMIT \(max(search.limit, 1))"
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
        let record = LogRecord(
            timeMicros: row[1], service: row[2], host: row[3],
            severity: Severity(rawValue: row[4]) ?? .info, message: row[5],
            traceID: (row[6] as Data?).flatMap(TraceID.init(databaseBlob:)),
            spanID: (row[7] as Data?).flatMap(SpanID.init(databaseBlob:)),
            attributes: try JSONColumns.attributes(db, row[8]))
        return LogRow(id: row[0], record: record)
    }
}
