import Foundation
import GRDB
import MeshtopModel

extension MeshtopStore {
    public func metricFlushes(_ search: MetricSearch) throws -> [MetricRollup] {
        var filter = SQLFilter()
        filter.add("time_us >= ? AND time_us < ?", search.window.sinceMicros, search.window.untilMicros)
        filter.add("name GLOB ?", ifPresent: search.nameGlob.flatMap { $0.isEmpty ? nil : $0 })
        for tag in search.tags { filter.add("instr(',' || tags || ',', ?) > 0", "," + tag + ",") }
        let sql = "SELECT * FROM \(MetricRollupRecord.databaseTableName)\(filter.clause) ORDER BY time_us"
        return try read { db in
            try MetricRollupRecord.fetchAll(db, sql: sql, arguments: filter.arguments).map(\.rollup)
        }
    }

    public func traceSpans(_ search: TraceSearch) throws -> [[StoredSpan]] {
        var filter = SQLFilter()
        filter.add("start_us >= ? AND start_us < ?", search.window.sinceMicros, search.window.untilMicros)
        filter.add("service = ?", ifPresent: search.service)
        filter.add("name = ?", ifPresent: search.operation)
        filter.add("duration_us >= ?", ifPresent: search.minDurationMicros)
        filter.add("duration_us <= ?", ifPresent: search.maxDurationMicros)
        if search.errorsOnly { filter.add("error = 1") }
        for tag in search.tags {
            let path = Self.jsonPath(tag.key)
            filter.add(Self.tagCondition, path, path, tag.value.text)
        }
        let sql = "SELECT trace_id FROM spans" + filter.clause + " ORDER BY start_us DESC"
        let limit = max(search.limit, 1)
        return try read { db in
            var seen = Set<Data>()
            var ids: [Data] = []
            let cursor = try Data.fetchCursor(db, sql: sql, arguments: filter.arguments)
            while ids.count < limit, let id = try cursor.next() {
                if seen.insert(id).inserted { ids.append(id) }
            }
            return try ids.map { try Self.spans(db, blob: $0) }.filter { !$0.isEmpty }
        }
    }

    /// Matches an attribute's value as text: strings as stored, numbers in SQLite's text form, `true`/`false`.
    static let tagCondition = """
        (CASE json_type(attributes, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
        ELSE CAST(json_extract(attributes, ?) AS TEXT) END) = ?
        """

    /// `$."key"`: a JSON path naming one top-level key (dots in tag keys such as `http.method` stay in the key).
    static func jsonPath(_ key: String) -> String {
        "$.\"" + key.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// How many prefix matches `trace(hexPrefix:)` counts before calling a prefix ambiguous.
    static let prefixMatchesCounted = 1001

    public func trace(hexPrefix hex: String) throws -> TraceMatch {
        guard let range = TraceID.databaseBlobRange(hexPrefix: hex) else { return .none }
        return try read { db -> TraceMatch in
            var stored: [StoredSpan] = []
            if hex.count == 16 || hex.count == 32, let id = TraceID(hex: hex) {
                stored = try Self.spans(db, blob: id.databaseBlob)
            }
            if stored.isEmpty && hex.count < 32 {
                let matches = try Self.traceIDBlobs(db, range, limit: Self.prefixMatchesCounted)
                if matches.count > 1 { return .ambiguous(matches: matches.count) }
                if let blob = matches.first { stored = try Self.spans(db, blob: blob) }
            }
            guard let traceID = stored.first?.span.traceID else { return .none }
            let spans = try stored.map { try Self.decoded($0, db) }
            let logs = try StoredLog.fetchAll(
                db.cachedStatement(sql: TraceLookup.logsOfTraceSQL), arguments: [traceID.databaseBlob])
            return .found(traceID, spans: spans, logs: try logs.map { try Self.decoded($0, db).record })
        }
    }

    static let logColumns = """
        SELECT logs.id, time_us, service, host, severity, logs.message, trace_id, span_id, attributes FROM logs
        """

    public func logs(_ search: LogSearch) throws -> [LogRow] {
        let limit = max(search.limit, 1)
        let rows = try read { db -> [LogRow] in
            let stored: [StoredLog]
            if let text = search.text, !Self.words(text).isEmpty {
                stored = try Self.textSearch(db, search, words: Self.words(text), limit: limit)
            } else if search.afterID == nil && search.traceID == nil, try db.tableExists("log_blocks") {
                // Newest first in a window: through the blocks and zones (`LogZones`), no per-row index. A file
                // of an earlier version, opened read-only before a collector migrated it, has its time indexes.
                let ids = try LogZones.newest(
                    db, window: search.window, service: search.service, filter: Self.logFilter(search, tail: true),
                    limit: limit)
                stored = try Self.logs(db, ids: ids, order: "time_us DESC, logs.id DESC")
            } else {
                let filter = Self.logFilter(search, tail: false)
                let order = search.afterID != nil ? "id" : "time_us DESC, id DESC"
                stored = try StoredLog.fetchAll(
                    db,
                    sql: Self.withBuckets(search) + Self.logColumns + filter.clause
                        + " ORDER BY \(order) LIMIT \(limit)",
                    arguments: filter.arguments)
            }
            return try stored.map { try Self.decoded($0, db) }
        }
        return search.afterID == nil ? rows.reversed() : rows
    }

    /// The search's conditions other than text. `tail`: for a walk of the newest row ids (follow mode, the
    /// unindexed tail), where `+` keeps SQLite off the time and service indexes, which would otherwise scan the
    /// whole window.
    private static func logFilter(_ search: LogSearch, tail: Bool) -> SQLFilter {
        var filter = SQLFilter()
        let byID = tail || search.afterID != nil
        let time = byID ? "+time_us" : "time_us"
        filter.add("\(time) >= ? AND \(time) < ?", search.window.sinceMicros, search.window.untilMicros)
        filter.add(byID ? "+service = ?" : "service = ?", ifPresent: search.service)
        filter.add("severity <= ?", ifPresent: search.minSeverity?.rawValue)
        // A trace id probes the `logs_trace` buckets (docs/storage.md, "Trace lookups"), never `trace_id = ?` alone.
        filter.add("(logs.id >> 16) IN log_buckets AND trace_id = ?", ifPresent: search.traceID?.databaseBlob)
        filter.add("logs.id > ?", ifPresent: search.afterID)
        return filter
    }

    private static func withBuckets(_ search: LogSearch) -> String {
        search.traceID == nil ? "" : "WITH RECURSIVE \(TraceLookup.logBucketsCTE) "
    }

    /// Text search, newest first (or oldest first after `afterID`): FTS5 over the indexed rows (`id` up to the
    /// index's mark, `LogTextIndex.View`), and a scan of the tail above it with `TailTextMatcher`, which matches as
    /// FTS5 with positions would — so the rows are those a fully indexed table returns. The index is asked for
    /// every token (`TailTextMatcher.indexQuery`); when a word has several tokens, its candidates are checked for
    /// their order by the same matcher. The tail's ids are all above the indexed ones, so the parts join in order.
    private static func textSearch(
        _ db: Database, _ search: LogSearch, words: [Substring], limit: Int
    ) throws -> [StoredLog] {
        let matcher = try TailTextMatcher(db, words: words)
        guard let match = matcher.indexQuery else { return [] }
        let index = try LogTextIndex.View(db)
        let mark = index.indexedThrough
        let newestFirst = search.afterID == nil
        let direction = newestFirst ? " DESC" : ""
        func rows(_ ids: [Int64]) throws -> [StoredLog] { try logs(db, ids: ids, order: "logs.id" + direction) }
        func indexed(_ limit: Int) throws -> [StoredLog] {
            guard limit > 0, index.usable else { return [] }
            var filter = logFilter(search, tail: false)
            // With text, FTS5 walks its matches newest rowid first and the LIMIT (or the check's early stop)
            // ends the walk.
            filter.add("logs_fts MATCH ?", match)
            filter.add("logs_fts.rowid <= ?", ifPresent: mark)
            let join =
                " JOIN logs_fts ON logs_fts.rowid = logs.id" + filter.clause + " ORDER BY logs_fts.rowid" + direction
            guard matcher.checksOrder else {
                return try StoredLog.fetchAll(
                    db, sql: withBuckets(search) + logColumns + join + " LIMIT \(limit)", arguments: filter.arguments)
            }
            let scan = try db.makeStatement(
                sql: withBuckets(search) + "SELECT logs.id, logs.message FROM logs" + join)
            try scan.setArguments(filter.arguments)
            return try rows(try matcher.matchingIDs(scan, db, limit: limit))
        }
        func tail(_ limit: Int) throws -> [StoredLog] {
            guard let mark, limit > 0 else { return [] }
            var filter = logFilter(search, tail: true)
            filter.add("logs.id > ?", mark)
            for (condition, pattern) in matcher.prefilters { filter.add(condition, pattern) }
            let scan = try db.makeStatement(
                sql: withBuckets(search) + "SELECT logs.id, logs.message FROM logs" + filter.clause
                    + " ORDER BY logs.id" + direction)
            try scan.setArguments(filter.arguments)
            return try rows(try matcher.matchingIDs(scan, db, limit: limit))
        }
        if newestFirst {
            let newer = try tail(limit)
            return newer + (try indexed(limit - newer.count))
        }
        let older = try indexed(limit)
        return older + (try tail(limit - older.count))
    }

    /// The rows `ids`, in `order` (an `ORDER BY` list).
    private static func logs(_ db: Database, ids: [Int64], order: String) throws -> [StoredLog] {
        guard !ids.isEmpty else { return [] }
        return try StoredLog.fetchAll(
            db, sql: logColumns + " WHERE logs.id IN (SELECT value FROM json_each(?)) ORDER BY " + order,
            arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"])
    }

    /// The whitespace-separated words of a text search (`TailTextMatcher` tokenizes each).
    static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    }

    static func decoded(_ stored: StoredSpan, _ db: Database) throws -> Span {
        var span = stored.span
        span.attributes = try JSONColumns.attributes(db, stored.attributesJSON)
        span.events = try JSONColumns.events(db, stored.eventsJSON)
        span.links = try SpanLinksJSON.links(db, stored.linksJSON)
        return span
    }

    static func decoded(_ stored: StoredLog, _ db: Database) throws -> LogRow {
        var record = stored.log
        record.attributes = try JSONColumns.attributes(db, stored.attributesJSON)
        return LogRow(id: stored.id, record: record)
    }

    public func sql(_ text: String, limit: Int?) throws -> SQLResult {
        try sql(text, arguments: [], limit: limit, cached: false)
    }

    /// `sql(_:limit:)` with values bound to the statement's `?` parameters, through the connection's statement
    /// cache: for callers that run the same read many times (the store benchmark).
    public func sql(_ text: String, arguments: [SQLValue], limit: Int? = nil) throws -> SQLResult {
        try sql(text, arguments: arguments, limit: limit, cached: true)
    }

    private func sql(_ text: String, arguments: [SQLValue], limit: Int?, cached: Bool) throws -> SQLResult {
        try read { db in
            let statement: Statement
            do {
                statement = cached ? try db.cachedStatement(sql: text) : try db.makeStatement(sql: text)
                if !arguments.isEmpty {
                    try statement.setArguments(StatementArguments(arguments.map(\.databaseValue)))
                }
            } catch let error as DatabaseError {
                throw SQLStatementError.invalid(error.message ?? error.description)
            }
            guard statement.isReadonly else {
                throw SQLStatementError.writes("only statements that read (SELECT, read-only PRAGMA) can run here")
            }
            var rows: [[SQLValue]] = []
            do {
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    if let limit, rows.count >= limit { break }
                    rows.append(row.databaseValues.map(SQLValue.init))
                }
            } catch let error as DatabaseError {
                if error.resultCode == .SQLITE_READONLY {
                    throw SQLStatementError.writes(error.message ?? "attempt to write")
                }
                throw SQLStatementError.invalid(error.message ?? error.description)
            }
            return SQLResult(columns: statement.columnNames, rows: rows)
        }
    }
}

extension SQLValue {
    fileprivate var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return Data(b).databaseValue
        }
    }
}
