import GRDB
import MeshtopModel

extension StoreBenchmark {
    static func queries(_ store: MeshtopStore, traceIDs: [TraceID], now: Int64) throws -> [Query] {
        var out: [Query] = []
        let ids = Array(traceIDs.suffix(100) + traceIDs.prefix(100))
        if !ids.isEmpty {
            out.append(try time("trace by id (spans)", runs: ids.count, store) { db, i in
                _ = try Row.fetchAll(
                    db.cachedStatement(sql: TraceLookup.spansOfTraceSQL),
                    arguments: [ids[i].databaseBlob])
            })
            out.append(try time("logs by trace id", runs: ids.count, store) { db, i in
                _ = try Row.fetchAll(
                    db.cachedStatement(sql: TraceLookup.logsOfTraceSQL),
                    arguments: [ids[i].databaseBlob])
            })
        }
        if let first = ids.first {
            let range = TraceID.databaseBlobRange(hexPrefix: String(first.hex.prefix(6)))
            out.append(try time("trace ids by 6-digit hex prefix", runs: 20, store) { db, _ in
                _ = try Row.fetchAll(
                    db.cachedStatement(sql: TraceLookup.traceIDsInRangeSQL),
                    arguments: [range?.lower, range?.upper, 20])
            })
        }
        let since = now - 15 * 60_000_000
        out.append(try time("services over last 15 min (service_rollups)", runs: 20, store) { db, _ in
            _ = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT service, sum(requests), sum(errors), sum(sum_us), max(max_us) FROM service_rollups
                    WHERE minute_us >= ? GROUP BY service
                    """), arguments: [since])
        })
        let words = Generator.words
        out.append(try time("log search: FTS word, newest 100", runs: 20, store) { db, i in
            _ = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT logs.* FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid
                    WHERE logs_fts MATCH ? ORDER BY logs_fts.rowid DESC LIMIT 100
                    """), arguments: [words[i % words.count]])
        })
        out.append(try time("log search: service + FTS phrase + last 15 min, newest 100", runs: 20, store) { db, i in
            _ = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT logs.* FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid
                    WHERE logs_fts MATCH ? AND logs.service = ? AND logs.time_us >= ?
                    ORDER BY logs_fts.rowid DESC LIMIT 100
                    """),
                arguments: ["\"connection refused\"", Generator.services[i % 12], since])
        })
        out.append(try time("log search: service, last 15 min, newest 200", runs: 20, store) { db, i in
            _ = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT * FROM logs WHERE service = ? AND time_us >= ? ORDER BY time_us DESC LIMIT 200
                    """), arguments: [Generator.services[i % 12], since])
        })
        return out
    }

    private static func time(
        _ name: String, runs: Int, _ store: MeshtopStore, _ body: (Database, Int) throws -> Void
    ) throws -> Query {
        var total = 0.0
        var worst = 0.0
        for i in 0..<runs {
            let start = SystemClock.monotonicSeconds()
            try store.read { db in try body(db, i) }
            let ms = (SystemClock.monotonicSeconds() - start) * 1000
            total += ms
            worst = max(worst, ms)
        }
        return Query(name: name, runs: runs, meanMillis: runs > 0 ? total / Double(runs) : 0, maxMillis: worst)
    }
}
