import Foundation
import Logging
import MeshtopModel
import MeshtopStore
import MeshtopWire
import NIOCore
import PostgresNIO

extension PostgresStore: ReplayReader {
    public func replaySpans(_ window: TimeWindow, after: ReplayCursor?, limit: Int) throws -> ([Span], ReplayCursor?) {
        let cursor = after ?? ReplayCursor(timeMicros: window.sinceMicros, rowID: Int64.min)
        return try read { c in
            let rows = try c.run(
                """
                SELECT \(unescaped: Self.spanColumns) FROM spans
                WHERE start_us >= \(window.sinceMicros) AND start_us < \(window.untilMicros)
                    AND (start_us, id) > (\(cursor.timeMicros), \(cursor.rowID))
                ORDER BY start_us, id LIMIT \(Int64(max(limit, 1)))
                """, logger
            ).map(Self.storedSpan)
            let spans = rows.map { JSONDecoding.decoded($0.span) }
            let last = rows.last.map { ReplayCursor(timeMicros: $0.span.span.startMicros, rowID: $0.id) }
            return (spans, last)
        }
    }

    public func replayLogs(
        _ window: TimeWindow, after: ReplayCursor?, limit: Int
    ) throws -> ([LogRecord], ReplayCursor?) {
        let cursor = after ?? ReplayCursor(timeMicros: window.sinceMicros, rowID: Int64.min)
        return try read { c in
            let rows = try c.run(
                """
                SELECT \(unescaped: Self.logColumns) FROM logs
                WHERE time_us >= \(window.sinceMicros) AND time_us < \(window.untilMicros)
                    AND (time_us, id) > (\(cursor.timeMicros), \(cursor.rowID))
                ORDER BY time_us, id LIMIT \(Int64(max(limit, 1)))
                """, logger
            ).map(Self.logRow)
            let last = rows.last.map { ReplayCursor(timeMicros: $0.record.timeMicros, rowID: $0.id) }
            return (rows.map(\.record), last)
        }
    }

    public func breakerTransitions(in window: TimeWindow, limit: Int) throws -> [BreakerTransition] {
        try read { c in
            try c.run(
                """
                SELECT \(unescaped: Self.transitionColumns) FROM breaker_transitions
                WHERE at_us >= \(window.sinceMicros) AND at_us < \(window.untilMicros)
                ORDER BY at_us, id LIMIT \(Int64(max(limit, 1)))
                """, logger
            ).map(Self.transition)
        }
    }

    public func alertTransitions(in window: TimeWindow, limit: Int) throws -> [AlertTransition] {
        try read { c in
            try c.run(
                """
                SELECT rule, severity, labels, from_state, to_state, at_us, value, summary FROM alert_history
                WHERE at_us >= \(window.sinceMicros) AND at_us < \(window.untilMicros)
                ORDER BY at_us, id LIMIT \(Int64(max(limit, 1)))
                """, logger
            ).map(Self.alertTransition)
        }
    }
}
