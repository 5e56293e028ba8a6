import GRDB
import MeshtopModel

/// Where a paged replay read stopped: the time and row id of the last row returned. Pass it back as `after`.
public struct ReplayCursor: Sendable, Hashable {
    public var timeMicros: Int64
    public var rowID: Int64

    public init(timeMicros: Int64, rowID: Int64) {
        self.timeMicros = timeMicros
        self.rowID = rowID
    }
}

/// The reads `meshtop replay` needs on top of `StoreReader`: stored spans and logs of a window in time order,
/// a bounded page at a time (keyset pages on `(time, rowid)`, so a window of hours never sits in memory at
/// once), and the recorded transitions of the window.
public protocol ReplayReader: StoreReader {
    /// Up to `limit` spans with `start_us` in `[window)`, after `after`, by start time then row id; attributes
    /// decoded (rules may read them). The cursor of the last span returned, nil when the page is empty.
    func replaySpans(_ window: TimeWindow, after: ReplayCursor?, limit: Int) throws -> ([Span], ReplayCursor?)
    /// Up to `limit` logs with `time_us` in `[window)`, after `after`, by time then id; attributes decoded.
    func replayLogs(_ window: TimeWindow, after: ReplayCursor?, limit: Int) throws -> ([LogRecord], ReplayCursor?)
    /// Breaker transitions at a time in `[window)`, oldest first, at most `limit`.
    func breakerTransitions(in window: TimeWindow, limit: Int) throws -> [BreakerTransition]
    /// Alert transitions at a time in `[window)`, oldest first, at most `limit`.
    func alertTransitions(in window: TimeWindow, limit: Int) throws -> [AlertTransition]
}

extension MeshtopStore: ReplayReader {
    public func replaySpans(
        _ window: TimeWindow, after: ReplayCursor?, limit: Int
    ) throws -> ([Span], ReplayCursor?) {
        let cursor = after ?? ReplayCursor(timeMicros: window.sinceMicros, rowID: Int64.min)
        let sql = """
            SELECT rowid AS replay_rowid, * FROM spans
            WHERE start_us >= ? AND start_us < ? AND (start_us > ? OR (start_us = ? AND rowid > ?))
            ORDER BY start_us, rowid LIMIT \(max(limit, 1))
            """
        return try read { db in
            let rows = try Row.fetchAll(
                db, sql: sql,
                arguments: [
                    window.sinceMicros, window.untilMicros, cursor.timeMicros, cursor.timeMicros, cursor.rowID,
                ])
            var spans: [Span] = []
            spans.reserveCapacity(rows.count)
            var last: ReplayCursor?
            for row in rows {
                let stored = try StoredSpan(row: row)
                var span = stored.span
                span.attributes = try JSONColumns.attributes(db, stored.attributesJSON)
                spans.append(span)
                last = ReplayCursor(timeMicros: span.startMicros, rowID: row["replay_rowid"])
            }
            return (spans, last)
        }
    }

    public func replayLogs(
        _ window: TimeWindow, after: ReplayCursor?, limit: Int
    ) throws -> ([LogRecord], ReplayCursor?) {
        let cursor = after ?? ReplayCursor(timeMicros: window.sinceMicros, rowID: Int64.min)
        let sql =
            Self.logColumns + """
                 WHERE time_us >= ? AND time_us < ? AND (time_us > ? OR (time_us = ? AND id > ?))
                 ORDER BY time_us, id LIMIT \(max(limit, 1))
                """
        return try read { db in
            let stored = try StoredLog.fetchAll(
                db, sql: sql,
                arguments: [
                    window.sinceMicros, window.untilMicros, cursor.timeMicros, cursor.timeMicros, cursor.rowID,
                ])
            let logs = try stored.map { try Self.decoded($0, db).record }
            let last = stored.last.map { ReplayCursor(timeMicros: $0.log.timeMicros, rowID: $0.id) }
            return (logs, last)
        }
    }

    public func breakerTransitions(in window: TimeWindow, limit: Int) throws -> [BreakerTransition] {
        typealias C = BreakerTransitionRecord.Columns
        let request =
            BreakerTransitionRecord
            .filter(C.at >= window.sinceMicros && C.at < window.untilMicros)
            .order(C.at, C.id).limit(max(limit, 1))
        return try read { db in try request.fetchAll(db).map(\.transition) }
    }

    public func alertTransitions(in window: TimeWindow, limit: Int) throws -> [AlertTransition] {
        typealias C = AlertHistoryRecord.Columns
        let request =
            AlertHistoryRecord
            .filter(C.at >= window.sinceMicros && C.at < window.untilMicros)
            .order(C.at, C.id).limit(max(limit, 1))
        return try read { db in
            try request.fetchAll(db).map { record in
                var transition = record.transition
                transition.labels = try JSONColumns.attributes(db, record.labelsJSON)
                return transition
            }
        }
    }
}
