import Foundation
import GRDB

/// The full-text index of log messages in a SQLite file of its own (`PATH-fts`), written on a connection of its
/// own, so building it never takes the database's write lock: the collector's writer commits batches while
/// another thread indexes the rows already committed (docs/storage.md, "Full-text search").
///
/// The file holds `logs_fts`, a contentless FTS5 table (`content=''`, `detail=none`, `columnsize=0`) whose rowid
/// is the `logs` row id, and `fts_state`: the mark `indexed_through` (every `logs` row with an id up to it has its
/// entry; rows above it are the tail, which searches scan) and the `database_id` of the `meta` table it was
/// built for (a file left beside another database is rebuilt, and readers ignore it).
///
/// Readers attach the file as `fts`, so `logs_fts` in their SQL is this table. The connection here opens the
/// main database and attaches the same file; its transactions are deferred, so they take the write lock of the
/// index file only and read `logs` from a snapshot (WAL: never blocked by, never blocking, the writer).
public final class LogTextIndex: Sendable {
    /// The index file beside `databasePath`.
    public static func path(for databasePath: String) -> String { databasePath + "-fts" }

    /// The schema name readers and this connection attach the file as.
    static let schema = "fts"
    static let markKey = "indexed_through"
    static let identityKey = "database_id"

    /// Page cache of the index's connection, in KiB. FTS5 appends segments and merges recent ones; a small cache
    /// indexes as fast as a large one (4.5–4.7 µs per row with 2 MiB or 16 MiB, Python's `sqlite3` on the same
    /// schema), and the collector's peak memory counts every MiB (SPEC §7: < 200 MB).
    static let cacheKiB = 4_096

    private let queue: DatabaseQueue

    /// Opens (creating when needed) the index of the database at `databasePath`, which must already hold its
    /// schema and a `meta.database_id`. An index built for another database is emptied (its mark back to 0).
    init(databasePath: String, cacheKiB: Int) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        let indexPath = Self.path(for: databasePath)
        config.prepareDatabase { db in
            try db.execute(sql: "ATTACH DATABASE ? AS \(Self.schema)", arguments: [indexPath])
            try db.execute(
                sql: """
                    PRAGMA \(Self.schema).journal_mode = WAL;
                    PRAGMA \(Self.schema).synchronous = NORMAL;
                    PRAGMA cache_size = -\(cacheKiB);
                    """)
        }
        queue = try DatabaseQueue(path: databasePath, configuration: config)
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.deferred) {
                try Self.create(db)
                let identity = try String.fetchOne(
                    db, sql: "SELECT value FROM main.meta WHERE key = ?", arguments: [Self.identityKey])
                let built = try String.fetchOne(
                    db, sql: "SELECT value FROM fts.fts_state WHERE key = ?", arguments: [Self.identityKey])
                if built != identity {
                    try db.execute(sql: "DROP TABLE fts.logs_fts; DELETE FROM fts.fts_state")
                    try Self.create(db)
                    try db.execute(
                        sql: "INSERT INTO fts.fts_state(key, value) VALUES (?, ?), (?, 0)",
                        arguments: [Self.identityKey, identity, Self.markKey])
                }
                return .commit
            }
        }
    }

    private static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE VIRTUAL TABLE IF NOT EXISTS fts.logs_fts USING fts5(
                    message, content='', detail=none, columnsize=0);
                CREATE TABLE IF NOT EXISTS fts.fts_state(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
                """)
        try db.execute(
            sql: "INSERT INTO fts.logs_fts(logs_fts, rank) VALUES ('automerge', ?)", arguments: [Schema.ftsAutomerge])
    }

    /// Runs `body` in a deferred transaction: the index file's write lock only, `logs` read from a snapshot.
    private func transaction<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.deferred) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    static func mark(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM fts.fts_state WHERE key = ?"), arguments: [markKey]) ?? 0
    }

    private static func lastLogID(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM main.logs")) ?? 0
    }

    /// Indexes up to `maxRows` log rows above the mark, oldest first, in one transaction; returns how many still
    /// wait (an upper bound: ids of deleted rows count).
    public func indexLogs(maxRows: Int) throws -> Int64 {
        try transaction { db in
            let mark = try Self.mark(db)
            let last = try Self.lastLogID(db)
            guard last > mark else { return 0 }
            let through = Int64(max(maxRows, 1)) >= last - mark ? last : mark + Int64(max(maxRows, 1))
            try db.cachedStatement(
                sql: """
                    INSERT INTO fts.logs_fts(rowid, message) SELECT id, message FROM main.logs WHERE id BETWEEN ? AND ?
                    """
            ).execute(arguments: [mark + 1, through])
            try db.cachedStatement(
                sql: """
                    INSERT INTO fts.fts_state(key, value) VALUES (?, ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value
                    """
            ).execute(arguments: [Self.markKey, through])
            return last - through
        }
    }

    public func indexedThrough() throws -> Int64 {
        try queue.read { db in try Self.mark(db) }
    }

    /// Log rows waiting to be indexed (an upper bound), 0 when every row is.
    public func tail() throws -> Int64 {
        try queue.read { db in max(0, try Self.lastLogID(db) - Self.mark(db)) }
    }

    /// Removes the entries of log rows the pruner deleted (their id and message as stored): FTS5's `'delete'`
    /// command, which a contentless table needs the indexed text for. Rows above the mark have no entry and are
    /// skipped (deleting an entry that does not exist would corrupt the index).
    func forget(_ rows: [(id: Int64, message: String)]) throws {
        guard !rows.isEmpty else { return }
        try transaction { db in
            let mark = try Self.mark(db)
            let delete = try db.cachedStatement(
                sql: "INSERT INTO fts.logs_fts(logs_fts, rowid, message) VALUES ('delete', ?, ?)")
            for row in rows where row.id <= mark { try delete.execute(arguments: [row.id, row.message]) }
        }
    }

    /// `meta` key: the highest id of a deleted `logs` row (`recordDeleted`).
    static let deletedThroughKey = "logs_deleted_through"

    /// On the writer, in the transaction that deletes log rows up to `id`.
    static func recordDeleted(through id: Int64, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO meta(key, value) VALUES (?, ?)
                ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                """
        ).execute(arguments: [deletedThroughKey, id])
    }

    /// The id the next log row must take when the table is empty and rows were deleted before (SQLite would
    /// start again at 1, under the index's mark); nil otherwise.
    static func firstIDAfterEmptyTable(_ db: Database) throws -> Int64? {
        guard try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM logs")) == nil else { return nil }
        return try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) + 1 FROM meta WHERE key = ?"),
            arguments: [deletedThroughKey])
    }

    /// Bytes in pages of the index file that hold data (free pages excluded).
    func usedBytes() throws -> Int64 {
        try queue.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA fts.page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA fts.freelist_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA fts.page_size") ?? 4096
            return (pages - free) * size
        }
    }

    /// Copies the index file's WAL into it and truncates it.
    func checkpoint() {
        _ = try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA fts.wal_checkpoint(TRUNCATE)") }
    }

    /// On the database's writer, when it is opened: gives the database a `meta.database_id` (which names the
    /// index built for it) and drops an index kept in the database itself (databases written before the index
    /// had its own file), with its deferral mark; `LogTextIndex` then builds the new one from every row.
    static func moveOut(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO meta(key, value) VALUES (?, lower(hex(randomblob(16))));
                DROP TABLE IF EXISTS logs_fts;
                DELETE FROM meta WHERE key = ?;
                """, arguments: [identityKey, MeshtopStore.ftsMarkKey])
    }

    /// The full-text index as a reader's connection sees it.
    struct View {
        /// Whether `logs_fts` answers for the rows up to `indexedThrough`: false when the connection has no index
        /// (its file is missing, or was built for another database), and every row is to be scanned.
        let usable: Bool
        /// Rows with a greater id have no entry yet; nil: every row has one (an index in the database itself).
        let indexedThrough: Int64?

        init(_ db: Database) throws {
            if try Row.fetchOne(db, sql: "SELECT 1 FROM main.sqlite_master WHERE name = 'logs_fts'") != nil {
                usable = true
                indexedThrough = try MeshtopStore.ftsIndexedThrough(db)
                return
            }
            let attached = try Row.fetchAll(db, sql: "PRAGMA database_list").contains { $0["name"] == schema }
            let row =
                attached
                ? try Row.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT value FROM fts.fts_state WHERE key = ?),
                            (SELECT value FROM fts.fts_state WHERE key = ?) IS (SELECT value FROM main.meta WHERE key = ?)
                        """, arguments: [markKey, identityKey, identityKey]) : nil
            if let row, row[1] == true {
                usable = true
                indexedThrough = row[0] ?? 0
            } else {
                usable = false
                indexedThrough = 0
            }
        }
    }

    /// For a reader's connection (in its `prepareDatabase`): attaches the index of `databasePath` when its file
    /// exists and the database keeps no index of its own (one written before the index had a file: it is moved
    /// when a collector next opens the database).
    static func attachForReading(_ db: Database, databasePath: String) throws {
        let indexPath = path(for: databasePath)
        guard FileManager.default.fileExists(atPath: indexPath),
            try Row.fetchOne(db, sql: "SELECT 1 FROM main.sqlite_master WHERE name = 'logs_fts'") == nil
        else { return }
        try db.execute(sql: "ATTACH DATABASE ? AS \(schema)", arguments: [indexPath])
    }
}
