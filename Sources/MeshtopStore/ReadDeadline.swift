import Foundation
import GRDB
import GRDBSQLite
import MeshtopModel

/// Bounds one read's running time with SQLite's progress handler: every `checkEvery` virtual-machine steps the
/// handler compares the clock with the deadline and, once past it, makes SQLite abandon the statement
/// (`SQLITE_INTERRUPT`). Per connection, so a bounded read never interrupts another reader.
enum ReadDeadline {
    static let checkEvery: Int32 = 10_000

    private final class Box {
        let deadlineNanos: UInt64
        var fired = false
        init(deadlineNanos: UInt64) { self.deadlineNanos = deadlineNanos }
    }

    /// Runs `body` on `db`, interrupted after `seconds`. However `body` reports the interruption (it may wrap
    /// database errors in its own), the caller gets `StoreError.timedOut`.
    static func run<T>(_ db: Database, seconds: Double, _ body: (Database) throws -> T) throws -> T {
        let box = Box(deadlineNanos: SystemClock.monotonicNanos() + UInt64(max(0, seconds) * 1e9))
        let connection = db.sqliteConnection
        let context = Unmanaged.passUnretained(box).toOpaque()
        sqlite3_progress_handler(
            connection, checkEvery,
            { context in
                let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
                guard SystemClock.monotonicNanos() >= box.deadlineNanos else { return 0 }
                box.fired = true
                return 1
            }, context)
        defer { sqlite3_progress_handler(connection, 0, nil, nil) }
        return try withExtendedLifetime(box) {
            do {
                return try body(db)
            } catch {
                if box.fired { throw StoreError.timedOut(seconds: seconds) }
                throw error
            }
        }
    }
}
