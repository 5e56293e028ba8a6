import Foundation
import GRDB
import MeshtopModel
import MeshtopStore

/// The read-side use cases over a meshtop database (SPEC §3): every query is SQL with bound parameters over the
/// schema of docs/storage.md, run on a read-only snapshot, so it works while the collector writes.
public struct MeshtopQueries: QueryReading {
    /// The store read from (opened with `MeshtopStore.openReadOnly(path:)` in production).
    public let store: MeshtopStore

    public init(store: MeshtopStore) {
        self.store = store
    }

    /// Opens the database at `path` read-only. Throws `StoreError.missing` when there is no file. With `timeout`
    /// (seconds), every read is interrupted after that long with `StoreError.timedOut`.
    public static func open(path: String, timeout: Double? = nil) throws -> MeshtopQueries {
        MeshtopQueries(store: try MeshtopStore.openReadOnly(path: path, readTimeout: timeout))
    }

    /// The newest span start, log time or metric flush in the database (µs); nil when it is empty.
    public func latestEventMicros() throws -> Int64? {
        try store.read { db in
            let values = try [
                "SELECT max(start_us) FROM spans", "SELECT max(time_us) FROM logs",
                "SELECT max(time_us) FROM metric_rollups",
            ].map { try Int64.fetchOne(db, sql: $0) }
            return values.compactMap { $0 }.max()
        }
    }

    /// Counters and gauges the collector keeps about itself (names of docs/storage.md).
    public func collectorStatus() throws -> CollectorStatus {
        let counters = try store.counters()
        let gauges = try store.gauges()
        var rejected: [String: Int64] = [:]
        for (name, value) in counters where name.hasPrefix("rejected.") {
            rejected[String(name.dropFirst("rejected.".count))] = value
        }
        return CollectorStatus(
            receivedDatagrams: counters["received_datagrams"] ?? 0,
            lines: counters["lines"] ?? 0, parsedSpans: counters["parsed.spans"] ?? 0,
            parsedLogs: counters["parsed.logs"] ?? 0, parsedMetrics: counters["parsed.metrics"] ?? 0,
            rejected: rejected, dropped: counters["dropped"] ?? 0, linesPerSecond: gauges["lines_per_s"]?.value ?? 0,
            lastWriteMicros: gauges.values.map(\.updatedMicros).max(), databaseBytes: store.databaseBytes())
    }

    /// Runs one read-only SQL statement and returns its column names and rows. Statements that would write
    /// are refused with `QueryError.readOnly` before they run; several statements are refused too.
    public func sql(_ text: String, limit: Int? = nil) throws -> SQLResult {
        try store.read { db in
            let statement: Statement
            do {
                statement = try db.makeStatement(sql: text)
            } catch let error as DatabaseError {
                throw QueryError.invalidArgument("SQL error: \(error.message ?? error.description)")
            }
            guard statement.isReadonly else {
                throw QueryError.readOnly("only statements that read (SELECT, read-only PRAGMA) can run here")
            }
            var rows: [[SQLValue]] = []
            do {
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    if let limit, rows.count >= limit { break }
                    rows.append(row.databaseValues.map(SQLValue.init))
                }
            } catch let error as DatabaseError {
                if error.resultCode == .SQLITE_READONLY {
                    throw QueryError.readOnly(error.message ?? "attempt to write")
                }
                throw QueryError.invalidArgument("SQL error: \(error.message ?? error.description)")
            }
            return SQLResult(columns: statement.columnNames, rows: rows)
        }
    }
}
