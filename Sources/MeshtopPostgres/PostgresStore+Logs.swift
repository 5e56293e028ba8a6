import Foundation
import Logging
import MeshtopModel
import MeshtopStore
import NIOCore
import PostgresNIO

/// The log search of `StoreReader` on PostgreSQL (`query logs`, the console's log view).
extension PostgresStore {
    static let logColumns = "id, time_us, service, host, severity, message, trace_id, span_id, attributes"

    static func logRow(_ row: PostgresRow) throws -> LogRow {
        let (id, time, service, host, severity, message, t, s, attributes) = try row.decode(
            (Int64, Int64, String, String, Int64, String, Data?, Data?, String).self)
        let record = LogRecord(
            timeMicros: time, service: service, host: host, severity: Severity(rawValue: Int(severity)) ?? .info,
            message: message, traceID: t.flatMap { TraceID(databaseBlob: $0) },
            spanID: s.flatMap { SpanID(databaseBlob: $0) }, attributes: JSONDecoding.attributes(attributes))
        return LogRow(id: id, record: record)
    }

    /// Logs matching the search: newest first (`time_us DESC, id DESC`) then reversed (oldest of the page first),
    /// or with `afterID`, the next ones by id. Text is every word, matched with
    /// `to_tsvector('simple', message) @@ plainto_tsquery('simple', text)`.
    ///
    /// The newest matches of a text search are found by a walk of the time index newest first (`walkTextSearch`),
    /// which stops at the limit, switching to the GIN index (`logs_fts`) for the rest of the window when the
    /// matches the walk has seen say that is cheaper (a rare word). With a trace id or `afterID` the statement
    /// is one indexed read (`logs_trace`, `logs_id`).
    public func logs(_ search: LogSearch) throws -> [LogRow] {
        try logs(search, walk: .standard)
    }

    /// How the text search walks: page sizes and the cost model that decides when the GIN index takes over.
    struct LogWalk: Sendable {
        /// Rows of the first page; later pages are sized from the matches seen, at most four times the
        /// previous page and `largestPage`.
        var firstPage: Int
        var largestPage: Int
        /// The GIN search's fixed cost (its statements and planning), its cost per posting of the query's rarest
        /// lexeme (the index scan skips through the others' postings by it) and per match (heap fetch, sort), in
        /// µs; measured on 5M logs, docs/scaling.md.
        var indexFixedMicros: Double
        var indexPostingMicros: Double
        var indexMatchMicros: Double
        /// Tests: switch to the GIN index after this many pages (0: at once), or never (nil with `adaptive`
        /// false).
        var adaptive: Bool
        var indexAfterPages: Int?

        static let standard = LogWalk(
            firstPage: 1_000, largestPage: 32_000, indexFixedMicros: 2_000, indexPostingMicros: 0.18,
            indexMatchMicros: 11, adaptive: true, indexAfterPages: nil)
    }

    func logs(_ search: LogSearch, walk: LogWalk) throws -> [LogRow] {
        let limit = max(search.limit, 1)
        if let text = search.text, !text.split(whereSeparator: \.isWhitespace).isEmpty, search.afterID == nil,
            search.traceID == nil
        {
            return try read { c in
                // One snapshot for every statement of the search (its rows are those of one statement).
                try c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger)
                defer { _ = try? c.exec("ROLLBACK", logger) }
                return try walkTextSearch(c, search, text: text, limit: limit, walk: walk)
            }.reversed()
        }
        var binds = PostgresBindings()
        var filter = " FROM logs WHERE time_us >= $1 AND time_us < $2"
        binds.append(search.window.sinceMicros)
        binds.append(search.window.untilMicros)
        if let text = search.text, !text.split(whereSeparator: \.isWhitespace).isEmpty {
            binds.append(text)
            filter += " AND to_tsvector('simple', message) @@ plainto_tsquery('simple', $\(binds.count))"
        }
        filter += Self.serviceAndSeverity(search, &binds)
        if let t = search.traceID {
            try binds.append(t.databaseBlob)
            filter += " AND trace_id = $\(binds.count)"
        }
        if let after = search.afterID {
            binds.append(after)
            filter += " AND id > $\(binds.count)"
        }
        let order = search.afterID != nil ? "id" : "time_us DESC, id DESC"
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(Self.logColumns)\(filter) ORDER BY \(order) LIMIT \(limit)", binds: binds)
        let rows = try read { c in try c.run(query, logger).map(Self.logRow) }
        return search.afterID == nil ? rows.reversed() : rows
    }

    /// The newest `limit` logs matching `text` (and the search's service and severity), newest first.
    ///
    /// Walks the window newest first in pages (`time_us < the oldest instant of the last page`, each page's
    /// oldest instant read whole so ties are never cut, like the trace search's keyset pages), the text match
    /// computed on each page's rows only, and stops once `limit` matches are found: a common word ends in the
    /// first page or two. Before `to_tsvector` parses a row, a substring test of each of the query's lexemes
    /// in `lower(message)` rejects most rows at a tenth of the cost (the lexemes are lowercased tokens of the
    /// message, so a row without one of them as a substring cannot match; only with the libc locale provider,
    /// whose `lower` is the one the text-search parser uses). After each page a cost model compares walking on
    /// (rows per match seen so far × matches still missing × the walk's measured cost per row) with the GIN
    /// index over the rest of the window (its fixed cost + the rarest lexeme's postings, estimated from the
    /// pages' substring counts, + matches expected there × cost per match). The GIN index's part that does not
    /// depend on the matches is paid only once the walk has cost as much, so an estimate from a few rows does
    /// not cut short a walk about to finish: a rare or absent word goes to the GIN index after a page or two.
    /// Both parts apply the same match, so the rows are those of one `ORDER BY time_us DESC, id DESC LIMIT` over
    /// every match.
    func walkTextSearch(
        _ c: PostgresConnection, _ search: LogSearch, text: String, limit: Int, walk: LogWalk
    ) throws -> [LogRow] {
        // With the query's lexemes, this transaction turns off JIT compilation and parallel workers, whose
        // start-up costs more than a page of the walk.
        let info = try c.run(
            """
            SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),
                tsvector_to_array(to_tsvector('simple', \(text))),
                coalesce((SELECT to_jsonb(d) ->> 'datlocprovider' FROM pg_database d
                    WHERE datname = current_database()), 'c'),
                (SELECT coalesce(sum(greatest(r.reltuples, 0)), 0)::float8 FROM pg_inherits i
                    JOIN pg_class r ON r.oid = i.inhrelid WHERE i.inhparent = 'logs'::regclass)
            """, logger
        ).first
        guard
            let (_, _, lexemes, provider, tableRows) = try info?.decode((String, String, [String], String, Double).self)
        else {
            return []
        }
        // plainto_tsquery ANDs these lexemes; with none, it matches nothing.
        guard !lexemes.isEmpty else { return [] }
        let prefilter = provider == "c" ? lexemes : []
        let since = search.window.sinceMicros
        var hits: [(id: Int64, time: Int64)] = []
        var before: Int64?
        var newest: Int64?
        var scanned = 0
        var pages = 0
        var page = max(walk.firstPage, 1)
        var walkMicros = 0.0
        var rarest = 0
        var useIndex = walk.indexAfterPages == 0
        while !useIndex {
            let need = limit - hits.count
            let start = SystemClock.monotonicSeconds()
            let rows = try c.run(
                Self.textPage(search, text: text, prefilter: prefilter, before: before, rows: page, need: need), logger)
            walkMicros += (SystemClock.monotonicSeconds() - start) * 1_000_000
            var count = 0
            var oldest: Int64 = 0
            for row in rows {
                let (isHit, a, b, d, e) = try row.decode((Bool, Int64, Int64, Int64, Int64).self)
                if isHit {
                    hits.append((a, b))
                } else {
                    count = Int(a)
                    oldest = b
                    if newest == nil && count > 0 { newest = d }
                    rarest += Int(e)
                }
            }
            scanned += count
            pages += 1
            // A page shorter than asked is the rest of the window.
            if hits.count >= limit || count < page { break }
            before = oldest
            if let after = walk.indexAfterPages, pages >= after {
                useIndex = true
                break
            }
            let seen = Double(scanned)
            let perMatch = seen / max(Double(hits.count), 0.5)
            let perRow = walkMicros / seen
            // Rows (as estimates, bounded: a huge `limit` must not overflow the conversion).
            func rowCount(_ estimate: Double) -> Int { estimate.isNaN ? 0 : Int(min(max(estimate, 0), 1e12)) }
            var expected = rowCount(Double(limit - hits.count) * perMatch * 1.25) + 100
            if walk.adaptive {
                let span = Double(max((newest ?? oldest) - oldest, 1))
                var rest = seen * Double(max(oldest - since, 0)) / span
                if tableRows > 0 { rest = min(rest, max(tableRows - seen, 0)) }
                let walkCost = perRow * Double(limit - hits.count) * perMatch
                // What the GIN search costs however few its matches: it is paid only once the walk has cost as
                // much (so a walk about to finish is not cut short by an estimate from its first rows).
                let floor = walk.indexFixedMicros + walk.indexPostingMicros * Double(rarest) / seen * (rest + seen)
                if floor + walk.indexMatchMicros * rest / perMatch < walkCost {
                    if walkMicros >= floor {
                        useIndex = true
                        break
                    }
                    expected = min(expected, rowCount((floor - walkMicros) / perRow) + 1)
                }
            }
            page = min(max(expected, walk.firstPage), 4 * page, walk.largestPage)
        }
        if useIndex {
            hits += try indexTextSearch(c, search, text: text, before: before, limit: limit - hits.count)
        }
        hits.sort { $0.time != $1.time ? $0.time > $1.time : $0.id > $1.id }
        let ids = hits.prefix(limit).map(\.id)
        guard !ids.isEmpty else { return [] }
        return try c.run(
            """
            SELECT \(unescaped: Self.logColumns) FROM logs
            WHERE id = ANY(\(ids)) AND time_us >= \(since) AND time_us < \(search.window.untilMicros)
            ORDER BY time_us DESC, id DESC
            """, logger
        ).map(Self.logRow)
    }

    /// The search's conditions but text, from `$1`: the window, `time_us < before`, service, severity.
    static func walkConditions(_ search: LogSearch, before: Int64?, _ binds: inout PostgresBindings) -> String {
        windowConditions(search, before: before, &binds) + serviceAndSeverity(search, &binds)
    }

    /// `time_us >= $1 AND time_us < $2`, the search's window, then `AND time_us < $3` for `before` when there
    /// is one; the first binds, so `$1` is the window's start.
    static func windowConditions(_ search: LogSearch, before: Int64?, _ binds: inout PostgresBindings) -> String {
        binds.append(search.window.sinceMicros)
        binds.append(search.window.untilMicros)
        var conditions = "time_us >= $1 AND time_us < $2"
        if let before {
            binds.append(before)
            conditions += " AND time_us < $\(binds.count)"
        }
        return conditions
    }

    /// `AND service = $n AND severity <= $m`, for the search's service and minimum severity when it has them.
    static func serviceAndSeverity(_ search: LogSearch, _ binds: inout PostgresBindings) -> String {
        var conditions = ""
        if let s = search.service {
            binds.append(s)
            conditions += " AND service = $\(binds.count)"
        }
        if let severity = search.minSeverity {
            binds.append(Int64(severity.rawValue))
            conditions += " AND severity <= $\(binds.count)"
        }
        return conditions
    }

    /// One page of the walk: the rows of the search's conditions (not text) before `before`, newest first, down
    /// to the instant of the `rows`-th one, all of that instant included. Answers `(true, id, time_us, 0, 0)` for
    /// its newest `need` text matches and one `(false, rows read, oldest time_us, newest time_us, rows holding
    /// the rarest lexeme as a substring)` (0 without `prefilter`). `lower(message)` is computed once per row
    /// (`OFFSET 0` keeps the subquery from being folded into the expressions that use it).
    static func textPage(
        _ search: LogSearch, text: String, prefilter: [String], before: Int64?, rows: Int, need: Int
    ) -> PostgresQuery {
        var binds = PostgresBindings()
        let conditions = walkConditions(search, before: before, &binds)
        var contains: [String] = []
        for lexeme in prefilter {
            binds.append(lexeme)
            contains.append("strpos(lm, $\(binds.count)) > 0")
        }
        binds.append(text)
        let match = (contains + ["to_tsvector('simple', message) @@ plainto_tsquery('simple', $\(binds.count))"])
            .joined(separator: " AND ")
        let flags = contains.enumerated().map { ", \($0.element) AS l\($0.offset)" }.joined()
        let rarest =
            contains.isEmpty
            ? "0::bigint"
            : "least(" + contains.indices.map { "count(*) FILTER (WHERE l\($0))" }.joined(separator: ", ") + ")"
        let sql = """
            WITH p AS MATERIALIZED (
                SELECT id, time_us, \(match) AS hit\(flags) FROM (
                    SELECT id, time_us, message, \(contains.isEmpty ? "''" : "lower(message)") AS lm FROM logs
                    WHERE \(conditions) AND time_us >= coalesce((SELECT time_us FROM logs WHERE \(conditions)
                        ORDER BY time_us DESC OFFSET \(max(rows, 1) - 1) LIMIT 1), $1)
                    OFFSET 0) r)
            SELECT true, id, time_us, 0::bigint, 0::bigint
            FROM (SELECT id, time_us FROM p WHERE hit ORDER BY time_us DESC, id DESC LIMIT \(max(need, 1))) h
            UNION ALL SELECT false, count(*), coalesce(min(time_us), 0), coalesce(max(time_us), 0), \(rarest) FROM p
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The newest `limit` text matches before `before` through the GIN index: the matches of the window are
    /// collected first (`MATERIALIZED`, so the service and severity conditions cannot lead the planner to their
    /// indexes and a parse of every row they hold), with plain index scans and sequential scans off for the
    /// rest of the search's transaction (the planner cannot tell how rare a word is).
    func indexTextSearch(
        _ c: PostgresConnection, _ search: LogSearch, text: String, before: Int64?, limit: Int
    ) throws -> [(id: Int64, time: Int64)] {
        guard limit > 0 else { return [] }
        var binds = PostgresBindings()
        var window = Self.windowConditions(search, before: before, &binds)
        binds.append(text)
        window += " AND to_tsvector('simple', message) @@ plainto_tsquery('simple', $\(binds.count))"
        var others: [String] = []
        if let s = search.service {
            binds.append(s)
            others.append("service = $\(binds.count)")
        }
        if let severity = search.minSeverity {
            binds.append(Int64(severity.rawValue))
            others.append("severity <= $\(binds.count)")
        }
        let sql = """
            WITH m AS MATERIALIZED (SELECT id, time_us, service, severity FROM logs WHERE \(window))
            SELECT id, time_us FROM m\(others.isEmpty ? "" : " WHERE " + others.joined(separator: " AND "))
            ORDER BY time_us DESC, id DESC LIMIT \(limit)
            """
        // For the rest of the search's transaction (the fetch by id that follows is a bitmap scan of `logs_id`).
        try c.exec(
            "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)", logger)
        return try c.run(PostgresQuery(unsafeSQL: sql, binds: binds), logger).map {
            let (id, time) = try $0.decode((Int64, Int64).self)
            return (id, time)
        }
    }
}
