import CMeshtopSQLite
import Foundation
import GRDB

/// meshtop's SQLite database (docs/storage.md). The collector opens it with `open(path:)` and is the only
/// writer; the console and queries open it with `openReadOnly(path:)` and read while the collector writes
/// (WAL mode: readers never block the writer and see committed batches only).
public final class MeshtopStore: Sendable {
    /// The database file path, or `:memory:`.
    public let path: String
    /// True for stores opened with `openReadOnly`.
    public let isReadOnly: Bool
    let writer: any DatabaseWriter
    /// A second connection that copies the WAL into the database in the background (PASSIVE checkpoints never
    /// block the writer), so checkpoint I/O and fsync stay off the collector's write path.
    private let checkpointer: DatabaseQueue?
    /// Held for the store's lifetime by stores opened for writing (one writer per database).
    let writerLock: WriterLock?
    /// Every `read` is interrupted after this many seconds (`StoreError.timedOut`); nil: unbounded.
    public let readTimeout: Double?
    /// The log full-text index in its own file, on its own connection (stores opened for writing on a file);
    /// nil: the index is the `logs_fts` table of the database itself (in-memory stores).
    let textIndex: LogTextIndex?

    private init(
        path: String, writer: any DatabaseWriter, isReadOnly: Bool, checkpointer: DatabaseQueue? = nil,
        writerLock: WriterLock? = nil, readTimeout: Double? = nil, textIndex: LogTextIndex? = nil
    ) {
        self.path = path
        self.writer = writer
        self.isReadOnly = isReadOnly
        self.checkpointer = checkpointer
        self.writerLock = writerLock
        self.readTimeout = readTimeout
        self.textIndex = textIndex
    }

    /// Background checkpoint period.
    static let checkpointInterval = 0.5

    private func scheduleBackgroundCheckpoint() {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + Self.checkpointInterval) {
            [weak self] in
            guard let self, let checkpointer = self.checkpointer else { return }
            _ = try? checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            self.scheduleBackgroundCheckpoint()
        }
    }

    /// Page cache of the writer's connections, in KiB (negative `cache_size`): the hot parts of the indexes (the
    /// newest pages of each append-mostly index) and the FTS segments being built. 32 MiB since issue 14: at
    /// 100,000 mixed lines/s the collector peaked at 225 MB with 64 MiB, over SPEC §7's 200 MB, and at 196 MB with
    /// 32 MiB, at the same writer CPU per line (docs/benchmarks.md, "Collector memory").
    static let cacheKiB = 32_768
    /// Page cache of a read-only connection (queries, the console), in KiB.
    static let readerCacheKiB = 16_384
    /// The writer itself checkpoints only when the WAL passes this many pages (4 KiB each), i.e. when the
    /// background checkpointer falls behind.
    static let autocheckpointPages = 16_384
    /// Truncate the WAL back to this size after checkpoints.
    static let journalSizeLimit = 64 << 20

    /// SQLite's memory statistics off, before its first use in the process: each of its allocations then skips
    /// a global mutex and two counters (docs/storage.md, "PRAGMAs"). The first store opened does it.
    static let sqliteTuned: Int32 = meshtop_sqlite_memstatus_off()

    /// Opens (creating if needed) the database for writing: parent directory, a look at what the file holds
    /// (`StoreInspection`: anything but meshtop's own or an empty database is refused before a byte is written),
    /// the single-writer lock (`PATH.lock`), WAL, migrations, the log full-text index file (`PATH-fts`,
    /// `LogTextIndex`). Throws only `StoreError`.
    public static func open(path: String) throws(StoreError) -> MeshtopStore {
        _ = sqliteTuned
        try createDirectory(for: path)
        guard try StoreInspection.inspect(path: path) != .foreign else { throw .notMeshtopDatabase(path) }
        let lock = try WriterLock.acquire(databasePath: path)
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(
                sql: """
                    PRAGMA synchronous = NORMAL;
                    PRAGMA cache_size = -\(cacheKiB);
                    PRAGMA temp_store = MEMORY;
                    """)
            if !db.configuration.readonly {
                try db.execute(
                    sql: """
                        PRAGMA wal_autocheckpoint = \(autocheckpointPages);
                        PRAGMA journal_size_limit = \(journalSizeLimit);
                        """)
            } else {
                // Readers only: the writer's IMMEDIATE transactions would take the index file's lock too.
                try LogTextIndex.attachForReading(db, databasePath: path)
            }
        }
        let store: MeshtopStore
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            try Schema.migrator.migrate(pool)
            try pool.write { db in try LogTextIndex.moveOut(db) }
            let textIndex = try LogTextIndex(databasePath: path, cacheKiB: LogTextIndex.cacheKiB)
            var checkpointConfig = Configuration()
            checkpointConfig.busyMode = .timeout(1)
            let checkpointer = try DatabaseQueue(path: path, configuration: checkpointConfig)
            store = MeshtopStore(
                path: path, writer: pool, isReadOnly: false, checkpointer: checkpointer, writerLock: lock,
                textIndex: textIndex)
        } catch let error as DatabaseError {
            throw classify(error, path: path, writing: true)
        } catch {
            throw .unwritable(path, reason: "\(error)")
        }
        store.scheduleBackgroundCheckpoint()
        return store
    }

    /// `mkdir -p` for the database's directory, with an error that names the directory that could not be made.
    static func createDirectory(for path: String) throws(StoreError) {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw .directory(path, directory: directory, reason: "\(prefix) is a file, not a directory")
                }
                continue
            }
            if mkdir(prefix, 0o755) == 0 || errno == EEXIST { continue }
            let failure = errno
            var reason = "mkdir \(prefix): \(String(cString: strerror(failure)))"
            // ENOENT although the parent exists: a file system that takes no new directories (/proc, /sys).
            if failure == ENOENT {
                reason += ", \((prefix as NSString).deletingLastPathComponent) takes no new directories"
            }
            throw .directory(path, directory: directory, reason: reason)
        }
    }

    /// Opens an existing database read-only. Never creates a file: a missing one is `StoreError.missing`.
    /// With `readTimeout`, each `read` is interrupted after that many seconds with `StoreError.timedOut`.
    public static func openReadOnly(path: String, readTimeout: Double? = nil) throws -> MeshtopStore {
        _ = sqliteTuned
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missing(path) }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw StoreError.unreadable(path, reason: "permission denied")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(readerCacheKiB)")
            try LogTextIndex.attachForReading(db, databasePath: path)
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let applied = try pool.read { db in try Schema.migrator.appliedIdentifiers(db) }
            guard applied.contains("v1") else { throw StoreError.notMeshtopDatabase(path) }
        } catch let error as DatabaseError {
            throw classify(error, path: path)
        }
        return MeshtopStore(path: path, writer: pool, isReadOnly: true, readTimeout: readTimeout)
    }

    /// A private in-memory database with the full schema, for tests.
    public static func inMemory() throws -> MeshtopStore {
        _ = sqliteTuned
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue)
        return MeshtopStore(path: ":memory:", writer: queue, isReadOnly: false)
    }

    private static func classify(_ error: DatabaseError, path: String, writing: Bool = false) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notMeshtopDatabase(path)
        case .SQLITE_FULL: return .unwritable(path, reason: "the disk is full")
        case .SQLITE_READONLY: return .unwritable(path, reason: "the file or its file system is read-only")
        default:
            if error.message?.contains("no such table") == true { return .notMeshtopDatabase(path) }
            let reason = error.message ?? "\(error.resultCode)"
            return writing ? .unwritable(path, reason: reason) : .unreadable(path, reason: reason)
        }
    }

    /// Runs read-only database work for the query layer. On a file store it reads a consistent snapshot that
    /// never blocks (and is never blocked by) the collector's writes. Not reentrant: do not call `read` or any
    /// other store method from inside `body`.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        guard let readTimeout else { return try writer.read(body) }
        return try writer.read { db in try ReadDeadline.run(db, seconds: readTimeout, body) }
    }

    /// Bytes used on disk: the database file, the log full-text index file and their WALs (0 for an in-memory
    /// store).
    public func databaseBytes() -> Int64 {
        guard path != ":memory:" else { return 0 }
        var total: Int64 = 0
        let index = LogTextIndex.path(for: path)
        for file in [path, path + "-wal", index, index + "-wal"] {
            if let attrs = try? FileManager.default.attributesOfItem(atPath: file),
                let size = attrs[.size] as? NSNumber
            {
                total += size.int64Value
            }
        }
        return total
    }

    /// `PRAGMA integrity_check`: `ok`, or the problems found, one per line.
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n") }
    }

    /// Copies the WAL into the database and truncates it (no-op read-only or when readers hold old snapshots).
    public func checkpoint() {
        guard !isReadOnly else { return }
        _ = try? writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        textIndex?.checkpoint()
    }

    func requireWritable() throws {
        if isReadOnly { throw StoreError.readOnly(path) }
    }
}
