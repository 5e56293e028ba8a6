import Foundation
import GRDB
import MeshtopModel
import Testing

@testable import MeshtopStore

/// meshtop looks before it writes (issue 15 items 1, 2, 4, 6): another program's database is refused without a
/// byte changed, one writer per database, reads can be bounded in time, and each error says what to do.
@Suite struct StoreSafetyTests {
    /// Size, bytes and modification time of a file, and whether a `-wal`/`-shm`/`.lock` appeared beside it.
    struct Snapshot: Equatable {
        var bytes: Data
        var modified: Date
        var companions: [String]

        init(_ path: String) throws {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            modified =
                try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date ?? .distantPast
            companions = ["-wal", "-shm", "-journal", ".lock"].filter {
                FileManager.default.fileExists(atPath: path + $0)
            }
        }
    }

    static func foreignDatabase(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    @Test(arguments: [
        // Tables that clash with meshtop's schema, and tables that do not.
        "CREATE TABLE logs(id INTEGER PRIMARY KEY, note TEXT); CREATE TABLE spans(a, b)",
        "CREATE TABLE notes(x); INSERT INTO notes VALUES (1)",
        // No tables at all, but another program's application id.
        "PRAGMA application_id = 42",
    ])
    func foreignDatabaseIsRefusedWithoutWritingAByte(sql: String) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("f.db")
        try Self.foreignDatabase(path, sql)
        let before = try Snapshot(path)
        #expect(before.companions.isEmpty)
        Thread.sleep(forTimeInterval: 0.01)  // a write now would show in the modification time
        #expect(throws: StoreError.notMeshtopDatabase(path)) { try MeshtopStore.open(path: path) }
        #expect(try Snapshot(path) == before)
        let queue = try DatabaseQueue(
            path: path,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }())
        try queue.read { (db: Database) throws in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "delete")
            #expect(try !db.tableExists("grdb_migrations"))
        }
        let message = StoreError.notMeshtopDatabase(path).description
        #expect(message.contains("not a meshtop database") && message.contains("did not change it"))
        #expect(message.contains("--db"))
        #expect(!message.contains("permissions"))
    }

    @Test func fileThatIsNotSQLiteIsRefusedUntouched() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("notes.txt")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let before = try Snapshot(path)
        #expect(throws: StoreError.notMeshtopDatabase(path)) { try MeshtopStore.open(path: path) }
        #expect(try Snapshot(path) == before)
    }

    @Test func emptyFilesAreInitialisedAndStamped() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let zero = dir.path("zero.db")
        _ = FileManager.default.createFile(atPath: zero, contents: Data())
        let sqliteNoTables = dir.path("blank.db")
        try Self.foreignDatabase(sqliteNoTables, "PRAGMA journal_mode = WAL")
        for path in [zero, sqliteNoTables, dir.path("new.db")] {
            let store = try MeshtopStore.open(path: path)
            try store.read { (db: Database) throws in
                #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == StoreInspection.applicationID)
            }
            #expect(store.rowCounts()["spans"] == 0)
        }
    }

    @Test func databasesOfEarlierVersionsAreAcceptedAndStamped() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("old.db")
        do {
            let store = try MeshtopStore.open(path: path)
            try store.write(WriteBatch(spans: [Fixture.span()], counterDeltas: ["lines": 1]))
        }
        // What a meshtop from before the stamp left: no application id, no v3 migration.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "PRAGMA application_id = 0")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3-application-id'")
        }
        try queue.close()
        #expect(try StoreInspection.inspect(path: path) == .unstampedMeshtop)
        let store = try MeshtopStore.open(path: path)
        #expect(try store.counters()["lines"] == 1)
        try store.read { (db: Database) throws in
            #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == StoreInspection.applicationID)
        }
    }

    @Test func aSecondWriterIsRefusedNamingTheFirstAndTheLockDiesWithIt() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("one.db")
        do {
            let first = try MeshtopStore.open(path: path)
            let lock = try String(contentsOfFile: path + ".lock", encoding: .utf8)
            // `pid\nstatus\n`, padded in place to a fixed size (the status is empty while all is well).
            #expect(lock.hasPrefix("\(getpid())\n\n"))
            #expect(lock.utf8.count == 256)
            #expect(throws: StoreError.self) { try MeshtopStore.open(path: path) }
            do {
                _ = try MeshtopStore.open(path: path)
            } catch {
                guard case .locked(let lockedPath, let holder) = error else {
                    Issue.record("expected .locked, got \(error)")
                    return
                }
                #expect(lockedPath == path)
                #expect(holder.hasPrefix("pid \(getpid()) ("))
                #expect(error.description.contains("already being written by pid \(getpid())"))
                #expect(error.description.contains("stop that collector") && error.description.contains("--db"))
            }
            // Readers are not affected.
            #expect(try MeshtopStore.openReadOnly(path: path).counters().isEmpty)
            try first.write(WriteBatch(counterDeltas: ["lines": 1]))
        }
        // The first store is gone, and with it the lock.
        let again = try MeshtopStore.open(path: path)
        #expect(try again.counters()["lines"] == 1)
    }

    @Test func boundedReadsAreInterruptedWithAMessage() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("t.db")
        _ = try MeshtopStore.open(path: path)
        let bounded = try MeshtopStore.openReadOnly(path: path, readTimeout: 0.2)
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        let start = Date()
        #expect(throws: StoreError.timedOut(seconds: 0.2)) {
            try bounded.read { db in try Int.fetchOne(db, sql: endless) }
        }
        #expect(Date().timeIntervalSince(start) < 3)
        // The handler is removed after the read: the connection serves the next one normally.
        #expect(try bounded.read { db in try Int.fetchOne(db, sql: "SELECT 7") } == 7)
        #expect(
            StoreError.timedOut(seconds: 5).description == "query timed out after 5s (use --timeout to allow longer)")
        #expect(StoreError.timedOut(seconds: 0.25).description.contains("after 250ms"))
    }

    @Test func aDirectoryThatCannotBeCreatedIsNamedWithWhatToDo() throws {
        let path = "/proc/meshtop-missing-\(getpid())/x.db"
        do {
            _ = try MeshtopStore.open(path: path)
            Issue.record("opened \(path)")
        } catch {
            guard case .directory(let p, let directory, _) = error else {
                Issue.record("expected .directory, got \(error)")
                return
            }
            #expect(p == path && directory == "/proc/meshtop-missing-\(getpid())")
            let message = error.description
            #expect(!message.contains("NSCocoaErrorDomain") && !message.contains("UserInfo"))
            #expect(message.contains("cannot create the directory /proc/meshtop-missing-\(getpid())"))
            #expect(message.contains("/proc takes no new directories") && message.contains("pass --db PATH"))
        }
        let dir = try TempDir()
        defer { dir.cleanup() }
        _ = FileManager.default.createFile(atPath: dir.path("file"), contents: Data())
        #expect(
            throws: StoreError.directory(
                dir.path("file/x.db"), directory: dir.path("file"),
                reason: "\(dir.path("file")) is a file, not a directory")
        ) { try MeshtopStore.open(path: dir.path("file/x.db")) }
    }
}
