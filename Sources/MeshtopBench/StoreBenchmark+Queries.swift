import MeshtopModel
import MeshtopStore

extension StoreBenchmark {
    static func queries(_ store: MeshtopStore, traceIDs: [TraceID], now: Int64) throws -> [Query] {
        var out: [Query] = []
        let ids = Array(traceIDs.suffix(100) + traceIDs.prefix(100))
        func blob(_ id: TraceID) -> SQLValue { .blob([UInt8](id.databaseBlob)) }
        if !ids.isEmpty {
            out.append(
                try time("trace by id (spans)", runs: ids.count, store) { i in
                    (TraceLookup.spansOfTraceSQL, [blob(ids[i])])
                })
            out.append(
                try time("logs by trace id", runs: ids.count, store) { i in
                    (TraceLookup.logsOfTraceSQL, [blob(ids[i])])
                })
        }
        if let first = ids.first {
            let range = TraceID.databaseBlobRange(hexPrefix: String(first.hex.prefix(6)))
            let lower: SQLValue = range.map { .blob([UInt8]($0.lower)) } ?? .null
            let upper: SQLValue = range?.upper.map { .blob([UInt8]($0)) } ?? .null
            out.append(
                try time("trace ids by 6-digit hex prefix", runs: 20, store) { _ in
                    (TraceLookup.traceIDsInRangeSQL, [lower, upper, .integer(20)])
                })
        }
        let since = now - 15 * 60_000_000
        out.append(
            try time("services over last 15 min (service_rollups)", runs: 20, store) { _ in
                (
                    """
                    SELECT service, sum(requests), sum(errors), sum(sum_us), max(max_us) FROM service_rollups
                    WHERE minute_us >= ? GROUP BY service
                    """, [.integer(since)]
                )
            })
        let words = Generator.words
        out.append(
            try time("log search: FTS word, newest 100", runs: 20, store) { i in
                (
                    """
                    SELECT logs.* FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid
                    WHERE logs_fts MATCH ? ORDER BY logs_fts.rowid DESC LIMIT 100
                    """, [.text(words[i % words.count])]
                )
            })
        out.append(
            try time("log search: service + FTS two words + last 15 min, newest 100", runs: 20, store) { i in
                (
                    """
                    SELECT logs.* FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid
                    WHERE logs_fts MATCH ? AND logs.service = ? AND logs.time_us >= ?
                    ORDER BY logs_fts.rowid DESC LIMIT 100
                    """, [.text("\"connection\" \"refused\""), .text(Generator.services[i % 12]), .integer(since)]
                )
            })
        // Windows of logs go through `log_blocks` and `log_zones` (no per-row time index): the store's own read.
        let window = TimeWindow(sinceMicros: since, untilMicros: now + 1)
        out.append(
            try time("log search: service, last 15 min, newest 200", runs: 20) { i in
                _ = try store.logs(LogSearch(window: window, service: Generator.services[i % 12], limit: 200))
            })
        out.append(
            try time("log search: last 15 min, newest 100", runs: 20) { _ in
                _ = try store.logs(LogSearch(window: window, limit: 100))
            })
        return out
    }

    /// Runs `body(i)` `runs` times.
    private static func time(_ name: String, runs: Int, _ body: (Int) throws -> Void) throws -> Query {
        var total = 0.0
        var worst = 0.0
        for i in 0..<runs {
            let start = SystemClock.monotonicSeconds()
            try body(i)
            let ms = (SystemClock.monotonicSeconds() - start) * 1000
            total += ms
            worst = max(worst, ms)
        }
        return Query(name: name, runs: runs, meanMillis: runs > 0 ? total / Double(runs) : 0, maxMillis: worst)
    }

    /// Runs the statement `runs` times (the i-th run's SQL and arguments from `statement(i)`) through the
    /// store's statement cache, each in its own read.
    private static func time(
        _ name: String, runs: Int, _ store: MeshtopStore, _ statement: (Int) -> (String, [SQLValue])
    ) throws -> Query {
        try time(name, runs: runs) { i in
            let (sql, arguments) = statement(i)
            _ = try store.sql(sql, arguments: arguments)
        }
    }
}
