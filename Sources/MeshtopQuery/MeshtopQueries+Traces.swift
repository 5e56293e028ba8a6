import Foundation
import GRDB
import MeshtopModel
import MeshtopStore

extension MeshtopQueries {
    /// Jaeger-style search: traces having a span in the window that matches every filter (service, operation,
    /// all tags, duration bounds, error), newest matching span first. The summary covers the whole trace; its
    /// root is the span without a parent in the trace (else the earliest span).
    public func traces(_ search: TraceSearch) throws -> [TraceSummary] {
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
        return try store.read { db in
            var seen = Set<Data>()
            var ids: [Data] = []
            let cursor = try Data.fetchCursor(db, sql: sql, arguments: filter.arguments)
            while ids.count < limit, let id = try cursor.next() {
                if seen.insert(id).inserted { ids.append(id) }
            }
            return try ids.compactMap { try Self.summary(db, blob: $0) }
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

    static func summary(_ db: Database, blob: Data) throws -> TraceSummary? {
        let rows = try Row.fetchAll(db.cachedStatement(sql: TraceLookup.spansOfTraceSQL), arguments: [blob])
        guard let traceID = TraceID(databaseBlob: blob), let first = rows.first else { return nil }
        let ids = Set(rows.map { $0[1] as Data })
        let root = rows.first { row in (row[2] as Data?).map { !ids.contains($0) } ?? true } ?? first
        var services: [String] = []
        var start = Int64.max
        var end = Int64.min
        var error = false
        for row in rows {
            let service: String = row[3]
            if !services.contains(service) { services.append(service) }
            let s: Int64 = row[6]
            let d: Int64 = row[7]
            start = min(start, s)
            end = max(end, s + d)
            if row[8] as Bool { error = true }
        }
        return TraceSummary(
            traceID: traceID, rootService: root[3], rootOperation: root[4], startMicros: start,
            durationMicros: end - start, spanCount: rows.count, services: services.sorted(), error: error)
    }

    /// One trace by full id or unique hex prefix (a 16-digit id also finds a zero-extended 64-bit trace id).
    /// nil when none matches; `QueryError.ambiguous` when a prefix matches several traces.
    public func trace(idOrPrefix: String) throws -> TraceDetail? {
        let hex = idOrPrefix.trimmingWhitespace().lowercased()
        guard !hex.isEmpty, hex.count <= 32, let range = TraceID.databaseBlobRange(hexPrefix: hex) else {
            throw QueryError.invalidArgument(
                "'\(Sanitizer.escape(idOrPrefix))' is not a trace id: give 1 to 32 hex digits")
        }
        return try store.read { db -> TraceDetail? in
            var spans: [Span] = []
            if hex.count == 16 || hex.count == 32, let id = TraceID(hex: hex) {
                spans = try Self.spans(db, blob: id.databaseBlob)
            }
            if spans.isEmpty && hex.count < 32 {
                let upper = range.upper ?? Data(repeating: 0xFF, count: 17)
                let matches = try Data.fetchAll(
                    db.cachedStatement(sql: TraceLookup.traceIDsInRangeSQL), arguments: [range.lower, upper, 1001])
                if matches.count > 1 { throw QueryError.ambiguous(prefix: hex, matches: matches.count) }
                if let blob = matches.first { spans = try Self.spans(db, blob: blob) }
            }
            guard let traceID = spans.first?.traceID else { return nil }
            return TraceDetail(traceID: traceID, spans: spans, logs: try Self.logs(db, traceID.databaseBlob))
        }
    }

    static func spans(_ db: Database, blob: Data) throws -> [Span] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: TraceLookup.spansOfTraceSQL), arguments: [blob])
        return try rows.map { row in
            let stored = MeshtopStore.storedSpan(row)
            var span = stored.span
            span.attributes = try JSONColumns.attributes(db, stored.attributesJSON)
            span.events = try JSONColumns.events(db, stored.eventsJSON)
            return span
        }
    }

    static func logs(_ db: Database, _ traceBlob: Data) throws -> [LogRecord] {
        try Row.fetchAll(db.cachedStatement(sql: TraceLookup.logsOfTraceSQL), arguments: [traceBlob])
            .map { try logRow(db, $0).record }
    }
}
