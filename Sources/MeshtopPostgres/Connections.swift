import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Blocking access to PostgreSQL for meshtop's synchronous callers (the collector's writer thread, the CLI's main
/// thread, the console's worker threads). Each call waits on a postgres-nio `EventLoopFuture` from a thread that is
/// never a NIO event loop nor a Swift-concurrency pool thread, so no cooperative thread is ever blocked.
///
/// `ConnectionPool` keeps up to `maximum` idle connections and opens more on demand; a connection that failed is
/// closed and never reused. (postgres-nio's `PostgresClient` pool needs its `run()` in a task and leases
/// connections through async calls only; bridging those by blocking would block pool threads.)
final class ConnectionPool: @unchecked Sendable {
    let url: PostgresURL
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var nextID = 1
    private let maximum: Int
    private var closed = false

    init(
        url: PostgresURL, maximumIdle: Int = 8, startupParameters: [(String, String)] = [],
        connectTimeoutSeconds: Int64 = 5
    ) {
        self.url = url
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: .disable)
        if url.sslMode != .disable, let context = try? NIOSSLContextFactory.make() {
            configuration.tls = url.sslMode == .prefer || url.sslMode == .allow ? .prefer(context) : .require(context)
        }
        configuration.options.connectTimeout = .seconds(connectTimeoutSeconds)
        configuration.options.additionalStartupParameters = startupParameters + [("application_name", "meshtop")]
        self.configuration = configuration
        var logger = Logger(label: "meshtop.postgres")
        logger.logLevel = .critical
        self.logger = logger
        self.maximum = maximumIdle
    }

    /// Opens a new connection (not pooled), or throws `PostgresStoreError.unavailable`.
    func connect() throws -> PostgresConnection {
        let id = lock.withLock { () -> Int in
            nextID += 1
            return nextID
        }
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            throw PostgresStoreError.unavailable(location: url.description, reason: Self.describe(error))
        }
    }

    /// Runs `body` on a pooled connection. A connection whose use threw a connection-level error is dropped, and so
    /// is an idle one the server closed meanwhile (a restart, `pg_terminate_backend`): a statement sent on it
    /// would wait for an answer until the timeout (`PoolRecoveryTests`).
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let (pooled, dead) = lock.withLock { () -> (PostgresConnection?, [PostgresConnection]) in
            var dead: [PostgresConnection] = []
            while let c = idle.popLast() {
                if !c.isClosed { return (c, dead) }
                dead.append(c)
            }
            return (nil, dead)
        }
        for c in dead { c.closeSoon() }
        let connection = try pooled ?? connect()
        do {
            let value = try body(connection)
            giveBack(connection)
            return value
        } catch {
            if connection.isClosed || Self.isConnectionError(error) {
                connection.closeSoon()
            } else {
                giveBack(connection)
            }
            throw Self.mapped(error, location: url.description)
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        let keep = lock.withLock { () -> Bool in
            guard !closed, !connection.isClosed, idle.count < maximum else { return false }
            idle.append(connection)
            return true
        }
        if !keep { connection.closeSoon() }
    }

    func close() {
        let all = lock.withLock { () -> [PostgresConnection] in
            closed = true
            defer { idle.removeAll() }
            return idle
        }
        for c in all { c.closeSoon() }
    }

    // MARK: errors

    /// The error as a short sentence, never with the password (postgres-nio's own description hides details).
    static func describe(_ error: any Error) -> String {
        if let e = error as? PostgresStoreError { return e.description }
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                let state = e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = e.underlying { return "\(e.code): \(describe(underlying))" }
            return "\(e.code)"
        }
        if let e = error as? IOError { return e.description }
        if let e = error as? ChannelError { return "\(e)" }
        return "\(error)"
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// True when the error means the connection (or server) is gone rather than a statement failing.
    static func isConnectionError(_ error: any Error) -> Bool {
        if let e = error as? PostgresStoreError { return e.isUnavailable }
        if let e = error as? PSQLError {
            if let state = e.serverInfo?[.sqlState] {
                // 08: connection exception, 57P01-03: admin shutdown / crash shutdown / cannot connect now.
                return state.hasPrefix("08") || state.hasPrefix("57P")
            }
            return e.code != .server
        }
        return error is IOError || error is ChannelError
    }

    /// Connection-level failures become `.unavailable` (so the writer says "store unavailable").
    static func mapped(_ error: any Error, location: String) -> any Error {
        if error is PostgresStoreError { return error }
        if isConnectionError(error) {
            return PostgresStoreError.unavailable(location: location, reason: describe(error))
        }
        return error
    }
}

/// TLS contexts for `sslmode=require|prefer` (the default is `disable`, as on loopback).
enum NIOSSLContextFactory {
    static func make() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return try NIOSSLContext(configuration: tls)
    }
}

extension PostgresConnection {
    /// How long one statement may go unanswered before its connection is given up as dead (a server that went
    /// away without closing the socket would otherwise block the caller for ever). Far above any statement meshtop
    /// runs; reads are bounded sooner by `statement_timeout`.
    static let answerSeconds: Int64 = 60

    /// Runs one statement and returns all its rows, blocking this (non-event-loop) thread.
    @discardableResult
    func run(_ query: PostgresQuery, _ logger: Logger, seconds: Int64 = answerSeconds) throws -> [PostgresRow] {
        try bounded(self.query(query, logger: logger), seconds: seconds).rows
    }

    /// Runs a statement of plain SQL with no parameters (DDL, BEGIN, COMMIT, SET).
    func exec(_ sql: String, _ logger: Logger, seconds: Int64 = answerSeconds) throws {
        _ = try bounded(self.query(PostgresQuery(unsafeSQL: sql), logger: logger), seconds: seconds)
    }

    /// Sends `chunks` (rows in PostgreSQL's binary COPY format, `PostgresCopyEncoder`) with
    /// `COPY table(columns) FROM STDIN WITH (FORMAT binary)`, blocking this (non-event-loop) thread until the
    /// server has taken them; in the caller's transaction when one is open, like `run`. postgres-nio's `copyFrom`
    /// is async: it runs in a task on the connection's own event loop (`EventLoopTaskExecutor`) whose result this
    /// thread waits for, bounded like every other statement. Not on the Swift-concurrency pool: the caller may be
    /// a pool thread that blocks here (a test, a CLI command), and on two cores two such callers would leave the
    /// task no thread to run on.
    ///
    /// postgres-nio 1.33 offers only `FORMAT text` but inserts the table name into its query as given, inside
    /// double quotes: the name passed closes the quote, lists the columns, asks for the binary format and
    /// comments out the rest of its query (`COPY "spans"("collector",…) FROM STDIN WITH (FORMAT binary) --"…`).
    /// `table` and `columns` are meshtop's own constants, never input.
    func copyBinary(
        table: String, columns: [String], _ chunks: [ByteBuffer], _ logger: Logger, seconds: Int64 = answerSeconds
    ) throws {
        let target =
            table + "\"(" + columns.map { "\"" + $0 + "\"" }.joined(separator: ",")
            + ") FROM STDIN WITH (FORMAT binary) --"
        let promise = eventLoop.makePromise(of: Void.self)
        let executor = EventLoopTaskExecutor(eventLoop)
        Task(executorPreference: executor) { [self] in
            do {
                try await self.copyFrom(table: target, logger: logger) { writer in
                    for chunk in chunks { try await writer.write(chunk) }
                }
                promise.succeed()
            } catch {
                promise.fail(error)
            }
        }
        // The executor lives until the task is done (each job queued on the loop holds it too).
        promise.futureResult.whenComplete { _ in withExtendedLifetime(executor) {} }
        try bounded(promise.futureResult, seconds: seconds)
    }

    /// Waits for `future` at most `seconds`; past that the connection is closed and the wait throws.
    func bounded<T: Sendable>(_ future: EventLoopFuture<T>, seconds: Int64) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        let timeout = future.eventLoop.scheduleTask(in: .seconds(seconds)) {
            promise.fail(PostgresStoreError.unavailable(location: "", reason: "no answer in \(seconds)s"))
        }
        // A connection the server closed fails its wait within a second: postgres-nio can leave a statement sent
        // just as the server ended the session (a restart's "terminating connection") unanswered, which held the
        // writer for the whole bound (one wait of 60 s in 12 restarts under load; `.ci/postgres/run.sh` saw a
        // leader take over after 47 s and a restart's lines stored 60 s late). Polled, not a `closeFuture`
        // callback, which would pile up one per statement on a connection that lives for days.
        let watch = future.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { task in
            guard self.isClosed else { return }
            promise.fail(PostgresStoreError.unavailable(location: "", reason: "the server closed the connection"))
            task.cancel()
        }
        future.whenComplete { _ in
            timeout.cancel()
            watch.cancel()
        }
        do {
            return try promise.futureResult.wait()
        } catch {
            if case .unavailable? = error as? PostgresStoreError { closeSoon() }
            throw error
        }
    }

    /// Closes without waiting (a close on a dead connection must not block the caller).
    func closeSoon() {
        // The closure keeps the connection alive until it is closed (postgres-nio asserts on a deinit before).
        self.close().whenComplete { _ in withExtendedLifetime(self) {} }
    }
}

/// A task executor that runs every job of its tasks on one NIO event loop, so async postgres-nio calls (COPY)
/// made for a blocked synchronous caller never need a Swift-concurrency pool thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
