import Foundation
import Logging
import MeshtopModel
import MeshtopStore
import NIOCore
import PostgresNIO

/// A meshtop store in PostgreSQL (docs/scaling.md): implements `StoreWriter` for a collector and `StoreReader`
/// (and `ReplayReader`) for the console and `meshtop query`. Several collectors may write one database at once;
/// each tags its rows and per-minute rollups with its `collectorID`, and readers merge them.
///
/// Synchronous by contract: every call blocks the calling thread (the collector's writer thread, the CLI's main
/// thread, a console worker) on postgres-nio futures; never call it from a NIO event loop.
public final class PostgresStore: @unchecked Sendable {
    public let url: PostgresURL
    /// This collector's id (`--collector-id`); empty for readers.
    public let collectorID: String
    public let readOnly: Bool
    /// Read statement bound (seconds), nil for none.
    public let readTimeout: Double?
    let pool: ConnectionPool
    let logger: Logger
    let lock = NSLock()
    /// The writer's own connection (one transaction per batch); nil until first use or after a failure.
    var writerConnection: PostgresConnection?
    /// Days whose partitions exist (or whose rows go to the default partition), per table.
    var ensuredDays: Set<Int64> = []
    var status = ""
    var statusWritten: String?
    let startedMicros = SystemClock.wallMicros()
    var election: LeaderElection?
    /// The cross-collector join's own connection, thread and state (`PostgresStore+JoinedEdges.swift`).
    var joinConnection: PostgresConnection?
    let joinQueue = DispatchQueue(label: "meshtop.postgres.join")
    var joinRunning = false
    var joinFinished: Result<JoinedEdgesResult?, any Error>?
    var joinClosed = false

    init(url: PostgresURL, collectorID: String, readOnly: Bool, readTimeout: Double?) {
        // A write on a connection the server closed must fail with EPIPE, not end the process.
        signal(SIGPIPE, SIG_IGN)
        self.url = url
        self.collectorID = collectorID
        self.readOnly = readOnly
        self.readTimeout = readTimeout
        var parameters: [(String, String)] = []
        if readOnly {
            parameters.append(("default_transaction_read_only", "on"))
            if let readTimeout { parameters.append(("statement_timeout", "\(Int((readTimeout * 1000).rounded()))")) }
        }
        self.pool = ConnectionPool(url: url, startupParameters: parameters)
        self.logger = pool.logger
    }

    deinit {
        election?.stop()
        pool.close()
        if let c = writerConnection { c.closeSoon() }
        if let c = joinConnection { c.closeSoon() }
    }

    /// Opens the database for a collector: connects, checks it is meshtop's (or empty), migrates, creates the
    /// partitions of yesterday to the day after tomorrow, and starts competing for governance leadership
    /// (`leaderElection`: false only in tests). Throws `PostgresStoreError` (`.unavailable` when the server cannot
    /// be reached or refuses the login).
    public static func open(
        url: PostgresURL, collectorID: String, leaderElection: Bool = true, retrySeconds: Double = 5
    ) throws -> PostgresStore {
        let store = PostgresStore(url: url, collectorID: collectorID, readOnly: false, readTimeout: nil)
        try store.pool.withConnection { c in
            try PostgresSchema.migrate(c, location: url.description, logger: store.logger)
        }
        let today = Day.of(SystemClock.wallMicros())
        try store.ensurePartitions(days: Set((today - 1)...(today + 2)))
        if leaderElection {
            store.election = LeaderElection(pool: store.pool, retrySeconds: retrySeconds, logger: store.logger)
            store.election?.start()
        }
        return store
    }

    /// Opens the database for reading: every session is read-only (`default_transaction_read_only`) and each
    /// statement is bounded by `readTimeout` (`statement_timeout`). Fails when the database has no meshtop schema.
    public static func openReadOnly(url: PostgresURL, readTimeout: Double? = 5) throws -> PostgresStore {
        let store = PostgresStore(url: url, collectorID: "", readOnly: true, readTimeout: readTimeout)
        let migrated = try store.pool.withConnection { c in
            try c.run("SELECT to_regclass('meshtop_migrations') IS NOT NULL", store.logger).first?.decode(Bool.self)
        }
        guard migrated == true else {
            throw PostgresStoreError.notMeshtop(
                location: url.description, reason: "no meshtop schema: start `meshtop collect --db URL` first")
        }
        return store
    }

    /// Whether this collector holds the governance lead (always false for readers and when election is off).
    public var isLeader: Bool { election?.isLeader ?? false }
    /// How many times this collector has taken the governance lead (0: never), so a lead lost and taken again is
    /// told from the one before.
    public var leaderTerm: Int { election?.term ?? 0 }

    /// Stops competing for the lead and closes every connection (the lock is released with its connection); a
    /// join still running fails on its closed connection (rolled back) and no other starts.
    public func close() {
        election?.stop()
        pool.close()
        let open = lock.withLock { () -> [PostgresConnection] in
            joinClosed = true
            defer { (writerConnection, joinConnection) = (nil, nil) }
            return [writerConnection, joinConnection].compactMap { $0 }
        }
        for c in open { c.closeSoon() }
    }

    // MARK: partitions

    /// Creates the daily partitions of `days` for spans, logs and metric rollups that do not exist yet, under an
    /// advisory lock (two collectors may need the same day at once). Days more than 30 days back or 2 ahead of
    /// now are left to the default partition, so a sender's wild timestamps cannot create partitions without end.
    func ensurePartitions(days: Set<Int64>) throws {
        let today = Day.of(SystemClock.wallMicros())
        let wanted = lock.withLock { days.subtracting(ensuredDays) }
        guard !wanted.isEmpty else { return }
        let creatable = wanted.filter { $0 >= today - 30 && $0 <= today + 2 }.sorted()
        if !creatable.isEmpty {
            try withOwnConnection { c in
                try c.exec("BEGIN", logger)
                do {
                    try c.exec("SELECT pg_advisory_xact_lock(\(PostgresSchema.partitionLockKey))", logger)
                    for day in creatable {
                        for (table, _) in PostgresSchema.partitioned {
                            let name = "\(table)_p\(Day.name(day))"
                            let exists =
                                try c.run("SELECT to_regclass(\(name)) IS NOT NULL", logger).first?.decode(
                                    Bool.self) ?? false
                            if exists { continue }
                            try c.exec("SAVEPOINT p", logger)
                            do {
                                try c.exec(
                                    "CREATE TABLE \(name) PARTITION OF \(table) FOR VALUES FROM (\(day * Day.micros)) "
                                        + "TO (\((day + 1) * Day.micros))", logger)
                                try c.exec("RELEASE SAVEPOINT p", logger)
                            } catch {
                                // The default partition already holds rows of that day: they stay there.
                                try c.exec("ROLLBACK TO SAVEPOINT p", logger)
                                logger.warning("partition \(name) not created: \(ConnectionPool.describe(error))")
                            }
                        }
                    }
                    try c.exec("COMMIT", logger)
                } catch {
                    _ = try? c.exec("ROLLBACK", logger)
                    throw error
                }
            }
        }
        lock.withLock { ensuredDays.formUnion(wanted) }
    }

    /// A writing store runs its own statements (partitions, retention) on the writer's connection, never on a
    /// pooled one that may have outlived a server restart; readers use the pool.
    func withOwnConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        if readOnly { return try pool.withConnection(body) }
        do {
            return try body(try writer())
        } catch {
            dropWriterIfBroken(error)
            throw ConnectionPool.mapped(error, location: url.description)
        }
    }

    /// The daily partitions of `table`, by day, from the catalog.
    func partitions(_ table: String, _ c: PostgresConnection) throws -> [(day: Int64, name: String)] {
        let rows = try c.run(
            """
            SELECT child.relname::text FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE pg_inherits.inhparent = to_regclass(\(table))
            """, logger)
        let prefix = table + "_p"
        var out: [(Int64, String)] = []
        for row in rows {
            let name = try row.decode(String.self)
            guard name.hasPrefix(prefix), let ymd = Int(name.dropFirst(prefix.count)) else { continue }
            let (y, m, d) = (Int64(ymd / 10000), Int64(ymd / 100 % 100), Int64(ymd % 100))
            out.append((RFC3339.days(fromCivil: y, m, d), name))
        }
        return out.sorted { $0.0 < $1.0 }
    }
}

/// Competes for the governance lead: every `retrySeconds` a follower tries `pg_try_advisory_lock` on its own
/// connection; the leader checks that connection is alive. The lock lives as long as the connection, so when a
/// leader dies (even `kill -9`) the server frees it and a follower takes over at its next try. A leader whose
/// election connection closes (the server ended the session) gives up the lead at once, when the connection's
/// close completes, not at its next check, and skips its next try so that the followers try first (as when it
/// learned it at a check).
final class LeaderElection: @unchecked Sendable {
    private let pool: ConnectionPool
    private let retrySeconds: Double
    private let logger: Logger
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private var leader = false
    private var backendPID: Int32 = 0
    private var terms = 0
    /// Set when the server ended the leader's session: its next try is skipped, so the followers try first.
    private var yielding = false
    private var stopped = false
    private let queue = DispatchQueue(label: "meshtop.postgres.leader")
    private var timer: (any DispatchSourceTimer)?

    init(pool: ConnectionPool, retrySeconds: Double, logger: Logger) {
        self.pool = pool
        self.retrySeconds = retrySeconds
        self.logger = logger
    }

    var isLeader: Bool { lock.withLock { leader } }
    /// The backend pid of the connection holding the lock (for the in-transaction check), 0 when not leader.
    var leaderPID: Int32 { lock.withLock { leader ? backendPID : 0 } }
    /// How many times the lead was taken.
    var term: Int { lock.withLock { terms } }

    func start() {
        queue.sync { self.attempt() }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + retrySeconds, repeating: retrySeconds)
        timer.setEventHandler { [weak self] in self?.attempt() }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            stopped = true
            let c = lock.withLock { () -> PostgresConnection? in
                leader = false
                defer { connection = nil }
                return connection
            }
            if let c { c.closeSoon() }
        }
    }

    /// The election connection `c` closed: if it held the lead, the lock is gone with its session.
    private func closed(_ c: PostgresConnection) {
        let lost = lock.withLock { () -> Bool in
            guard connection === c, leader else { return false }
            leader = false
            backendPID = 0
            connection = nil
            yielding = true
            return true
        }
        if lost { logger.warning("governance lead lost: the server ended the election session") }
    }

    /// One round: check or take the lock.
    private func attempt() {
        if stopped { return }
        let skip = lock.withLock { () -> Bool in
            defer { yielding = false }
            return yielding
        }
        if skip { return }
        do {
            let c = try lock.withLock({ connection }) ?? pool.connect()
            lock.withLock { connection = c }
            if c.isClosed { throw PostgresStoreError.unavailable(location: "", reason: "closed") }
            if isLeader {
                try c.exec("SELECT 1", logger, seconds: 5)
                return
            }
            let row = try c.run(
                "SELECT pg_try_advisory_lock(\(PostgresSchema.leaderLockKey)), pg_backend_pid()", logger, seconds: 5
            ).first
            let (got, pid) = try row?.decode((Bool, Int32).self) ?? (false, Int32(0))
            if got {
                lock.withLock {
                    leader = true
                    backendPID = pid
                    terms += 1
                }
                logger.info("governance lead taken")
                // Runs at once if the connection closed meanwhile.
                c.closeFuture.whenComplete { [weak self] _ in self?.closed(c) }
            }
        } catch {
            let c = lock.withLock { () -> PostgresConnection? in
                leader = false
                defer { connection = nil }
                return connection
            }
            if let c { c.closeSoon() }
        }
    }
}

/// Creating and dropping whole databases, for tests and CI (needs the CREATEDB privilege).
public enum PostgresAdmin {
    /// Creates the database `name` on the server of `url` and returns the URL of the new database.
    public static func createDatabase(_ url: PostgresURL, name: String) throws -> PostgresURL {
        let pool = ConnectionPool(url: url)
        defer { pool.close() }
        try pool.withConnection { c in try c.exec("CREATE DATABASE \"\(name)\"", pool.logger) }
        var out = url
        out.database = name
        return out
    }

    /// Drops the database `name` (closing its other sessions first).
    public static func dropDatabase(_ url: PostgresURL, name: String) throws {
        let pool = ConnectionPool(url: url)
        defer { pool.close() }
        try pool.withConnection { c in
            try c.exec("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)", pool.logger)
        }
    }

    /// `ANALYZE` of the database: fresh planner statistics after a bulk load, what autovacuum does within a
    /// minute or so on a live server (`meshtop bench query` runs it after its fill, before timing).
    public static func analyze(_ url: PostgresURL) throws {
        let pool = ConnectionPool(url: url)
        defer { pool.close() }
        try pool.withConnection { c in try c.exec("ANALYZE", pool.logger, seconds: 600) }
    }

    /// Terminates every session of this database holding the leader lock (a crashed leader, for tests).
    public static func terminateLeader(_ url: PostgresURL) throws {
        let pool = ConnectionPool(url: url)
        defer { pool.close() }
        try pool.withConnection { c in
            try c.exec(
                """
                SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
                AND objid::bigint = \(PostgresSchema.leaderLockKey & 0xFFFF_FFFF)
                """, pool.logger)
        }
    }
}
