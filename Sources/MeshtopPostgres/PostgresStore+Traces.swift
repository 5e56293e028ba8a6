import Foundation
import Logging
import MeshtopModel
import MeshtopStore
import NIOCore
import PostgresNIO

/// The span reads of `StoreReader` on PostgreSQL: a trace by id or prefix, and trace search.
extension PostgresStore {
    static let spanColumns = """
        id, trace_id, span_id, parent_id, service, name, kind, start_us, duration_us, error, status,
        status_message, peer_service, attributes, events, links
        """

    static func storedSpan(_ row: PostgresRow) throws -> (id: Int64, span: StoredSpan) {
        let cells = row.makeRandomAccess()
        func int(_ i: Int) throws -> Int64 { try cells[i].decode(Int64.self) }
        func text(_ i: Int) throws -> String? { try cells[i].decode(String?.self) }
        let span = Span(
            traceID: TraceID(databaseBlob: try cells[1].decode(Data.self)) ?? TraceID(high: 0, low: 0),
            spanID: SpanID(databaseBlob: try cells[2].decode(Data.self)) ?? SpanID(0),
            parentID: try cells[3].decode(Data?.self).flatMap { SpanID(databaseBlob: $0) },
            service: try cells[4].decode(String.self), name: try cells[5].decode(String.self),
            kind: SpanKind(rawValue: Int(try int(6))) ?? .unspecified, startMicros: try int(7),
            durationMicros: try int(8), isError: try int(9) != 0,
            status: StatusCode(rawValue: Int(try int(10))) ?? .unset, statusMessage: try text(11),
            peerService: try text(12))
        return (
            try int(0),
            StoredSpan(
                span: span, attributesJSON: try text(13) ?? "{}", eventsJSON: try text(14) ?? "[]",
                linksJSON: try text(15))
        )
    }

    func spans(_ c: PostgresConnection, traceID: Data) throws -> [StoredSpan] {
        try c.run(
            """
            SELECT \(unescaped: Self.spanColumns) FROM spans WHERE trace_id = \(traceID) ORDER BY start_us, id
            """, logger
        ).map { try Self.storedSpan($0).span }
    }

    /// Traces by their newest matching span, like SQLite's cursor over `ORDER BY start_us DESC`: spans are read
    /// newest first in keyset pages (`start_us < oldest of the last page`, each page's oldest instant read whole
    /// so ties are never cut), distinct trace ids kept until `search.limit` of them. A page is an index walk from
    /// the top of the window (`spans_start`, `spans_service_start`) that stops early, where a `GROUP BY trace_id`
    /// over the window aggregated every matching span first (1.4–2.2 s on 5M spans). Tag conditions are computed
    /// in the select list (`hit`), not the WHERE clause: the planner cannot tell how rare a JSON value is, and
    /// with the condition in WHERE it parsed every span's attributes in the window before sorting (~1.4 s per
    /// million spans); as a column it is evaluated on the page's rows only, and the walk stays in index order.
    public func traceSpans(_ search: TraceSearch) throws -> [[StoredSpan]] {
        let limit = max(search.limit, 1)
        let page = search.tags.isEmpty ? 1_000 : 5_000
        return try read { c in
            var seen = Set<Data>()
            var ids: [Data] = []
            func take(_ query: PostgresQuery) throws -> [(Data, Int64, Bool)] {
                let rows = try c.run(query, logger).map { try $0.decode((Data, Int64, Bool).self) }
                for (id, _, hit) in rows where hit && ids.count < limit && seen.insert(id).inserted {
                    ids.append(id)
                }
                return rows
            }
            var before: Int64?
            while ids.count < limit {
                let rows = try take(Self.matchingSpans(search, before: before, at: nil, limit: page))
                guard rows.count == page, ids.count < limit, let oldest = rows.last?.1 else { break }
                _ = try take(Self.matchingSpans(search, before: nil, at: oldest, limit: nil))
                before = oldest
            }
            return try ids.map { try spans(c, traceID: $0) }.filter { !$0.isEmpty }
        }
    }

    /// `trace_id, start_us, hit` of the spans matching `search` but its tags, newest first, `hit` true when the
    /// tags match too: those starting before `before`, or only those starting at `at`, at most `limit`.
    static func matchingSpans(_ search: TraceSearch, before: Int64?, at: Int64?, limit: Int?) -> PostgresQuery {
        var binds = PostgresBindings()
        var conditions = "start_us >= $1 AND start_us < $2"
        binds.append(search.window.sinceMicros)
        binds.append(search.window.untilMicros)
        func add(_ condition: (Int) -> String, _ value: some PostgresDynamicTypeEncodable) {
            binds.append(value)
            conditions += " AND " + condition(binds.count)
        }
        if let before { add({ "start_us < $\($0)" }, before) }
        if let at { add({ "start_us = $\($0)" }, at) }
        if let s = search.service { add({ "service = $\($0)" }, s) }
        if let o = search.operation { add({ "name = $\($0)" }, o) }
        if let d = search.minDurationMicros { add({ "duration_us >= $\($0)" }, d) }
        if let d = search.maxDurationMicros { add({ "duration_us <= $\($0)" }, d) }
        if search.errorsOnly { conditions += " AND error = 1" }
        var hit: [String] = []
        for tag in search.tags {
            binds.append(tag.key)
            let key = binds.count
            binds.append(tag.value.text)
            hit.append("(attributes::json ->> $\(key)) IS NOT DISTINCT FROM $\(binds.count)")
        }
        let hitColumn = hit.isEmpty ? "true" : "(" + hit.joined(separator: " AND ") + ")"
        var sql = "SELECT trace_id, start_us, \(hitColumn) FROM spans WHERE \(conditions) ORDER BY start_us DESC"
        if let limit { sql += " LIMIT \(limit)" }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    public func trace(hexPrefix hex: String) throws -> TraceMatch {
        guard let range = TraceID.databaseBlobRange(hexPrefix: hex) else { return .none }
        return try read { c -> TraceMatch in
            var stored: [StoredSpan] = []
            if hex.count == 16 || hex.count == 32, let id = TraceID(hex: hex) {
                stored = try spans(c, traceID: id.databaseBlob)
            }
            if stored.isEmpty && hex.count < 32 {
                let upper = range.upper ?? Data(repeating: 0xFF, count: 17)
                let matches = try c.run(
                    """
                    SELECT DISTINCT trace_id FROM spans WHERE trace_id >= \(range.lower) AND trace_id < \(upper)
                    LIMIT 1001
                    """, logger
                ).map { try $0.decode(Data.self) }
                if matches.count > 1 { return .ambiguous(matches: matches.count) }
                if let blob = matches.first { stored = try spans(c, traceID: blob) }
            }
            guard let traceID = stored.first?.span.traceID else { return .none }
            let spans = stored.map(JSONDecoding.decoded)
            let logs = try c.run(
                """
                SELECT \(unescaped: Self.logColumns) FROM logs WHERE trace_id = \(traceID.databaseBlob)
                ORDER BY time_us, id
                """, logger
            ).map { try Self.logRow($0).record }
            return .found(traceID, spans: spans, logs: logs)
        }
    }
}
