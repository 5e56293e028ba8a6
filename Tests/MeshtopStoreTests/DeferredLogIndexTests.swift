import Foundation
import GRDB
import MeshtopModel
import Testing

@testable import MeshtopStore

/// The full-text index built off the write path (`WriteBatch.defersLogIndexing`, `indexLogs(maxRows:)`):
/// searches over a partly indexed table return exactly what a fully indexed one returns.
@Suite struct DeferredLogIndexTests {
    /// Messages that FTS5's tokenizer treats in ways a substring search would not: case, diacritics, punctuation
    /// inside words, longer words that contain the query, non-Latin text, quotes.
    static let messages = [
        "Timeout calling payments", "TIMEOUT after 30s", "timeouts keep coming", "time-out on db", "time out",
        "résumé uploaded", "RÉSUMÉ rejected", "resume the job", "x-ray ready", "ray x done", "école fermée",
        "日本語 テキスト 処理", "payment declined for order 404", "payment_declined code=4040", "declined payment",
        "foo.bar baz", "100% done", "say \"hi\" now", "-- separator line --", "Ünïcödé wörds here",
    ]

    static func logs(_ count: Int) -> [LogRecord] {
        (0..<count).map { i in
            var log = Fixture.log(
                messages[i % messages.count] + (i % 3 == 0 ? " #\(i)" : ""), time: 1_000_000 + Int64(i) * 1_000,
                service: i % 2 == 0 ? "orders" : "payments")
            log.severity = i % 5 == 0 ? .error : .info
            return log
        }
    }

    static let queries = [
        "timeout", "TimeOut", "time out", "time", "resume", "résumé", "RESUME", "x-ray", "ray x", "ecole", "日本語",
        "payment declined", "declined payment", "404", "4040", "--", "-- timeout", "\"hi\"", "hi", "omicron", "e",
        "foo", "bar", "100", "unicode", "ünïcödé", "payment_declined", "#3",
    ]

    static func searches() -> [LogSearch] {
        let window = TimeWindow(sinceMicros: 0, untilMicros: 10_000_000)
        var out: [LogSearch] = []
        for text in queries {
            for limit in [3, 1_000] {
                out.append(LogSearch(window: window, text: text, limit: limit))
                out.append(LogSearch(window: window, service: "orders", text: text, limit: limit))
                out.append(LogSearch(window: window, minSeverity: .error, text: text, limit: limit))
                out.append(LogSearch(window: window, text: text, limit: limit, afterID: 40))
                out.append(
                    LogSearch(
                        window: TimeWindow(sinceMicros: 1_050_000, untilMicros: 1_150_000), text: text, limit: limit))
            }
        }
        return out
    }

    static func deferred(_ logs: [LogRecord], batch: Int) throws -> MeshtopStore {
        let store = try MeshtopStore.inMemory()
        for start in stride(from: 0, to: logs.count, by: batch) {
            var b = WriteBatch(logs: Array(logs[start..<min(logs.count, start + batch)]))
            b.defersLogIndexing = true
            try store.write(b)
        }
        return store
    }

    static func mark(_ store: MeshtopStore) throws -> Int64? {
        try store.read { db in try MeshtopStore.ftsIndexedThrough(db) }
    }

    static func integrityCheck(_ store: MeshtopStore) throws {
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO logs_fts(logs_fts, rank) VALUES ('integrity-check', 1)")
        }
    }

    /// Indexes the `rows` of `store` in steps (none, 37, 113, the rest) and checks, at each, that `searches` give
    /// `expected`.
    static func indexInSteps(
        _ store: MeshtopStore, rows: Int64, checking searches: [LogSearch], _ expected: [[LogRow]]
    ) throws {
        var indexed: Int64 = 0
        for step in [0, 37, 113, 1_000] {
            if step > 0 { _ = try store.indexLogs(maxRows: step) }
            indexed = min(rows, indexed + Int64(step))
            #expect(try store.logIndexTail() == rows - indexed)
            for (search, rows) in zip(searches, expected) {
                let got = try store.logs(search)
                #expect(got == rows, "\(indexed) indexed: \(search.text ?? "") limit \(search.limit)")
            }
        }
    }

    @Test func searchesOverAPartlyIndexedTableMatchAFullyIndexedOne() throws {
        let logs = Self.logs(200)
        let reference = try MeshtopStore.inMemory()
        try reference.write(WriteBatch(logs: logs))
        let store = try Self.deferred(logs, batch: 30)
        #expect(try Self.mark(store) == 0)
        #expect(try store.logIndexTail() == 200)
        let searches = Self.searches()
        // The reference finds what the matcher must: words found, and the cases a substring search gets wrong.
        let expected = try searches.map { try reference.logs($0) }
        #expect(expected[0].count == 3)
        #expect(try reference.logs(LogSearch(window: searches[0].window, text: "timeout")).count == 20)
        #expect(try reference.logs(LogSearch(window: searches[0].window, text: "resume")).count == 30)
        #expect(try reference.logs(LogSearch(window: searches[0].window, text: "--")).isEmpty)
        // A word of several tokens is a phrase: its tokens in order and adjacent ("x-ray ready", not "ray x
        // done"), which the `detail=none` index cannot tell and the reader checks; separate words need not be.
        #expect(try reference.logs(LogSearch(window: searches[0].window, text: "x-ray")).count == 10)
        #expect(try reference.logs(LogSearch(window: searches[0].window, text: "ray x")).count == 20)
        #expect(try reference.logs(LogSearch(window: searches[0].window, text: "time-out")).count == 20)
        #expect(try reference.logs(LogSearch(window: searches[0].window, text: "out-time")).isEmpty)
        #expect(
            try reference.logs(LogSearch(window: searches[0].window, text: "x-ray", limit: 3)).map(\.id) == [
                149, 169, 189,
            ])

        try Self.indexInSteps(store, rows: 200, checking: searches, expected)
        // Caught up: no mark, the index matches its content.
        #expect(try Self.mark(store) == nil)
        try Self.integrityCheck(store)
    }

    @Test func pruningTheTailLeavesTheIndexConsistent() throws {
        let logs = (0..<300).map { Fixture.log("event number \($0) refused", time: Int64($0) * 1_000_000) }
        let store = try Self.deferred(logs, batch: 100)
        #expect(try store.indexLogs(maxRows: 100) == 200)
        // Deletes ids 1...200: 100 indexed and 100 still in the tail (those have no FTS row to delete).
        let result = try store.prune(rawOlderThan: 200_000_000, rollupsOlderThan: 0)
        #expect(result.deleted["logs"] == 200)
        #expect(try store.indexLogs(maxRows: .max) == 0)
        try Self.integrityCheck(store)
        let hits = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'refused'")
        }
        #expect(hits == 100)
    }

    @Test func rowsWrittenAfterTheTailWasPrunedAreSearchable() throws {
        let store = try Self.deferred((0..<10).map { Fixture.log("old line \($0)", time: Int64($0)) }, batch: 10)
        #expect(try store.indexLogs(maxRows: 4) == 6)
        _ = try store.prune(rawOlderThan: 1_000_000, rollupsOlderThan: 0)
        // The table is empty: new rows reuse ids 1...3, below the old mark 4.
        var batch = WriteBatch(logs: (0..<3).map { Fixture.log("fresh line \($0)", time: 2_000_000) })
        batch.defersLogIndexing = true
        try store.write(batch)
        let window = TimeWindow(sinceMicros: 0, untilMicros: 10_000_000)
        #expect(try store.logs(LogSearch(window: window, text: "fresh")).map(\.id) == [1, 2, 3])
        _ = try store.indexLogs(maxRows: .max)
        #expect(try store.logs(LogSearch(window: window, text: "fresh")).map(\.id) == [1, 2, 3])
        try Self.integrityCheck(store)
    }

    @Test func aBatchIndexedInlineTakesTheTailWithIt() throws {
        let store = try Self.deferred((0..<50).map { Fixture.log("line \($0) ok", time: Int64($0)) }, batch: 25)
        #expect(try store.logIndexTail() == 50)
        try store.write(WriteBatch(logs: (0..<10).map { Fixture.log("line \($0) ok", time: 100 + Int64($0)) }))
        #expect(try Self.mark(store) == nil)
        #expect(try store.logIndexTail() == 0)
        let hits = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'ok'")
        }
        #expect(hits == 60)
        try Self.integrityCheck(store)
    }
}
