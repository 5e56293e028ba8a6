import Foundation
import GRDB
import MeshtopModel

extension MeshtopStore {
    /// Cumulative collector counters (since the database was created).
    public func counters() throws -> [String: Int64] {
        try read { db in
            var out: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, value FROM collector_counters") {
                out[row[0]] = row[1]
            }
            return out
        }
    }

    /// The latest collector gauges with the wall-clock time (µs) each was written.
    public func gauges() throws -> [String: (value: Double, updatedMicros: Int64)] {
        try read { db in
            var out: [String: (value: Double, updatedMicros: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, value, updated_us FROM collector_gauges") {
                out[row[0]] = (row[1], row[2])
            }
            return out
        }
    }

    /// The most recent rejected lines, newest first (at most 100 are kept).
    public func recentRejects(limit: Int = MeshtopStore.rejectsKept) throws -> [RejectRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT at_us, reason, source, sample FROM rejects ORDER BY id DESC LIMIT ?",
                arguments: [limit]
            ).map { row in
                RejectRecord(
                    atMicros: row[0], reason: RejectReason(rawValue: row[1]) ?? .unknownFormat, source: row[2],
                    sample: row[3])
            }
        }
    }

    /// Row count per table (`logs_fts` excluded). Tables that cannot be counted are left out.
    public func rowCounts() -> [String: Int64] {
        (try? read { db in
            var out: [String: Int64] = [:]
            for table in Schema.tables {
                out[table] = try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return out
        }) ?? [:]
    }

    /// The spans of one trace, by start time (`TraceLookup.spansOfTraceSQL`).
    public func spans(traceID: TraceID) throws -> [StoredSpan] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: TraceLookup.spansOfTraceSQL), arguments: [traceID.databaseBlob]
            ).map(Self.storedSpan)
        }
    }

    /// The logs that carry one trace id, by time (`TraceLookup.logsOfTraceSQL`).
    public func logs(traceID: TraceID) throws -> [StoredLog] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: TraceLookup.logsOfTraceSQL), arguments: [traceID.databaseBlob]
            ).map(Self.storedLog)
        }
    }

    /// Trace ids whose hex starts with `hexPrefix` (case-insensitive), at most `limit`, in id order.
    public func traceIDs(hexPrefix: String, limit: Int = 20) throws -> [TraceID] {
        guard let range = TraceID.databaseBlobRange(hexPrefix: hexPrefix) else { return [] }
        let upper = range.upper ?? Data(repeating: 0xFF, count: 17)
        return try read { db in
            try Data.fetchAll(
                db.cachedStatement(sql: TraceLookup.traceIDsInRangeSQL), arguments: [range.lower, upper, limit]
            ).compactMap { TraceID(databaseBlob: $0) }
        }
    }

    /// Decodes a row selected with the `spans` columns in schema order.
    public static func storedSpan(_ row: Row) -> StoredSpan {
        let span = Span(
            traceID: TraceID(databaseBlob: row[0]) ?? TraceID(high: 0, low: 0),
            spanID: SpanID(databaseBlob: row[1]) ?? SpanID(0),
            parentID: (row[2] as Data?).flatMap { SpanID(databaseBlob: $0) }, service: row[3], name: row[4],
            kind: SpanKind(rawValue: row[5]) ?? .unspecified, startMicros: row[6], durationMicros: row[7],
            isError: row[8], status: StatusCode(rawValue: row[9]) ?? .unset, statusMessage: row[10],
            peerService: row[11])
        return StoredSpan(span: span, attributesJSON: row[12], eventsJSON: row[13])
    }

    /// Decodes a row selected with the `logs` columns in schema order (`id` first).
    public static func storedLog(_ row: Row) -> StoredLog {
        let log = LogRecord(
            timeMicros: row[1], service: row[2], host: row[3], severity: Severity(rawValue: row[4]) ?? .info,
            message: row[5], traceID: (row[6] as Data?).flatMap { TraceID(databaseBlob: $0) },
            spanID: (row[7] as Data?).flatMap { SpanID(databaseBlob: $0) })
        return StoredLog(id: row[0], log: log, attributesJSON: row[8])
    }
}
