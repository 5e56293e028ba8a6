import Foundation
import GRDB
import MeshtopModel
import Testing

@testable import MeshtopStore

/// The log full-text index in its own file (`LogTextIndex`, `PATH-fts`), as every store opened on a file has it:
/// searches while it lags match a fully indexed table, pruning removes the entries of deleted rows and only of
/// those, ids are never used twice under its mark, an index built for another database is not trusted, and the
/// database's writer commits while the index file is locked.
@Suite struct LogTextIndexTests {
    /// A fresh directory and the database path in it; removed by `cleanUp`.
    static func databasePath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshtop-fts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("m.db").path
    }

    static func cleanUp(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    static func writeDeferred(_ logs: [LogRecord], batch: Int, to store: MeshtopStore) throws {
        for start in stride(from: 0, to: logs.count, by: batch) {
            var b = WriteBatch(logs: Array(logs[start..<min(logs.count, start + batch)]))
            b.defersLogIndexing = true
            try store.write(b)
        }
    }

    static func integrityCheck(_ path: String) throws {
        try DatabaseQueue(path: LogTextIndex.path(for: path)).writeWithoutTransaction { db in
            try db.execute(sql: "INSERT INTO logs_fts(logs_fts, rank) VALUES ('integrity-check', 1)")
        }
    }

    static func indexed(_ store: MeshtopStore, _ word: String) throws -> [Int64] {
        try store.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? ORDER BY rowid", arguments: [word])
        }
    }

    @Test func searchesWhileTheIndexLagsMatchAFullyIndexedTable() throws {
        let path = try Self.databasePath()
        defer { Self.cleanUp(path) }
        let logs = DeferredLogIndexTests.logs(200)
        let reference = try MeshtopStore.inMemory()
        try reference.write(WriteBatch(logs: logs))
        let store = try MeshtopStore.open(path: path)
        #expect(store.indexesOnItsOwnConnection)
        try Self.writeDeferred(logs, batch: 30, to: store)
        #expect(try store.logIndexTail() == 200)
        let searches = DeferredLogIndexTests.searches()
        let expected = try searches.map { try reference.logs($0) }
        try DeferredLogIndexTests.indexInSteps(store, rows: 200, checking: searches, expected)
        // The database itself keeps no index; a batch written without deferral is indexed before `write` returns.
        #expect(try store.sql("SELECT name FROM sqlite_master WHERE name LIKE 'logs_fts%'", limit: nil).rows.isEmpty)
        try store.write(WriteBatch(logs: [Fixture.log("inline omega", time: 9_000_000)]))
        #expect(try store.logIndexTail() == 0)
        #expect(try Self.indexed(store, "omega") == [201])
        try Self.integrityCheck(path)
    }

    @Test func pruningRemovesTheEntriesOfDeletedRowsAndWaitsForRowsNotYetIndexed() throws {
        let path = try Self.databasePath()
        defer { Self.cleanUp(path) }
        let store = try MeshtopStore.open(path: path)
        let logs = (0..<300).map { Fixture.log("event number \($0) refused", time: Int64($0) * 1_000_000) }
        try Self.writeDeferred(logs, batch: 100, to: store)
        #expect(try store.indexLogs(maxRows: 100) == 200)
        // Rows 1...200 are older than the cutoff; only the 100 indexed ones go now.
        var result = try store.prune(rawOlderThan: 200_000_000, rollupsOlderThan: 0)
        #expect(result.deleted["logs"] == 100)
        #expect(try Self.indexed(store, "refused") == [])
        #expect(try store.indexLogs(maxRows: .max) == 0)
        result = try store.prune(rawOlderThan: 200_000_000, rollupsOlderThan: 0)
        #expect(result.deleted["logs"] == 100)
        #expect(try Self.indexed(store, "refused") == Array(201...300))
        try Self.integrityCheck(path)
        let window = TimeWindow(sinceMicros: 0, untilMicros: 400_000_000)
        #expect(try store.logs(LogSearch(window: window, text: "refused", limit: 1_000)).count == 100)
    }

    @Test func idsAreNeverUsedTwiceAfterTheTableWasEmptied() throws {
        let path = try Self.databasePath()
        defer { Self.cleanUp(path) }
        let store = try MeshtopStore.open(path: path)
        try Self.writeDeferred((0..<10).map { Fixture.log("old line \($0)", time: Int64($0)) }, batch: 10, to: store)
        #expect(try store.indexLogs(maxRows: .max) == 0)
        #expect(try store.prune(rawOlderThan: 1_000_000, rollupsOlderThan: 0).deleted["logs"] == 10)
        try Self.writeDeferred((0..<3).map { Fixture.log("fresh line \($0)", time: 2_000_000) }, batch: 3, to: store)
        let window = TimeWindow(sinceMicros: 0, untilMicros: 10_000_000)
        // Without the floor they would be 1...3, under the mark 10, and never indexed nor scanned.
        #expect(try store.logs(LogSearch(window: window, text: "fresh")).map(\.id) == [11, 12, 13])
        #expect(try store.indexLogs(maxRows: .max) == 0)
        #expect(try Self.indexed(store, "fresh") == [11, 12, 13])
        #expect(try Self.indexed(store, "old") == [])
        try Self.integrityCheck(path)
    }

    @Test func anIndexFileOfAnotherDatabaseIsNotTrusted() throws {
        let path = try Self.databasePath()
        defer { Self.cleanUp(path) }
        do {
            let store = try MeshtopStore.open(path: path)
            try store.write(WriteBatch(logs: [Fixture.log("stale text", time: 1)]))
            #expect(try Self.indexed(store, "stale") == [1])
        }
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try MeshtopStore.open(path: path)
        var batch = WriteBatch(logs: [Fixture.log("new text", time: 2)])
        batch.defersLogIndexing = true
        try store.write(batch)
        let window = TimeWindow(sinceMicros: 0, untilMicros: 10)
        // Row 1 is "new text" now: the old entry for "stale" must not find it, before or after indexing.
        #expect(try store.logs(LogSearch(window: window, text: "stale")).isEmpty)
        #expect(try store.logs(LogSearch(window: window, text: "new")).map(\.id) == [1])
        #expect(try store.indexLogs(maxRows: .max) == 0)
        #expect(try store.logs(LogSearch(window: window, text: "stale")).isEmpty)
        #expect(try store.logs(LogSearch(window: window, text: "new")).map(\.id) == [1])
    }

    @Test func theWriterCommitsWhileTheIndexFileIsLocked() throws {
        let path = try Self.databasePath()
        defer { Self.cleanUp(path) }
        let store = try MeshtopStore.open(path: path)
        var config = Configuration()
        config.busyMode = .timeout(0)
        let other = try DatabaseQueue(path: LogTextIndex.path(for: path), configuration: config)
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE; INSERT INTO fts_state(key, value) VALUES ('held', 1)")
            var batch = WriteBatch(logs: (0..<100).map { Fixture.log("while locked \($0)", time: Int64($0)) })
            batch.defersLogIndexing = true
            // A write that needed the index file's lock would throw SQLITE_BUSY after the store's busy timeout.
            try store.write(batch)
            try db.execute(sql: "ROLLBACK")
        }
        #expect(try store.indexLogs(maxRows: .max) == 0)
        #expect(try Self.indexed(store, "locked").count == 100)
    }
}
