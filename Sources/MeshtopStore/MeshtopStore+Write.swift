import Foundation
import GRDB
import MeshtopModel

extension MeshtopStore {
    /// How many rejected lines `rejects` keeps.
    public static let rejectsKept = 100

    /// Writes one batch in ONE transaction: either all of it is stored or none (a crash loses at most the
    /// batch being written). Statements are prepared once per connection and reused with bound parameters.
    public func write(_ batch: WriteBatch) throws {
        try requireWritable()
        guard !batch.isEmpty else { return }
        try writer.write { db in try Self.insert(batch, into: db) }
    }

    static func insert(_ batch: WriteBatch, into db: Database) throws {
        if !batch.spans.isEmpty { try insertSpans(batch.spans, db) }
        if !batch.logs.isEmpty { try insertLogs(batch.logs, db) }
        if !batch.metricRollups.isEmpty { try insertMetricRollups(batch.metricRollups, db) }
        try upsertGovernance(batch, db)
        if !batch.rejects.isEmpty { try insertRejects(batch.rejects, db) }
        if !batch.counterDeltas.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO collector_counters(name, value) VALUES (?, ?)
                ON CONFLICT(name) DO UPDATE SET value = value + excluded.value
                """)
            for (name, delta) in batch.counterDeltas { try stmt.execute(arguments: [name, delta]) }
        }
        if !batch.gauges.isEmpty {
            let stmt = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO collector_gauges(name, value, updated_us) VALUES (?, ?, ?)")
            let now = WallClock.nowMicros()
            for (name, value) in batch.gauges { try stmt.execute(arguments: [name, value, now]) }
        }
    }

    static func insertSpans(_ spans: [Span], _ db: Database) throws {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO spans(trace_id, span_id, parent_id, service, name, kind, start_us, duration_us, error,
                status, status_message, peer_service, attributes, events)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for s in spans {
            try stmt.execute(arguments: [
                s.traceID.databaseBlob, s.spanID.databaseBlob, s.parentID?.databaseBlob, s.service, s.name,
                s.kind.rawValue, s.startMicros, s.durationMicros, s.isError, s.status.rawValue, s.statusMessage,
                s.peerService, JSONText.encode(s.attributes), JSONText.encode(s.events),
            ])
        }
    }

    static func insertLogs(_ logs: [LogRecord], _ db: Database) throws {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO logs(time_us, service, host, severity, message, trace_id, span_id, attributes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let fts = try db.cachedStatement(sql: "INSERT INTO logs_fts(rowid, message) VALUES (?, ?)")
        for l in logs {
            try stmt.execute(arguments: [
                l.timeMicros, l.service, l.host, l.severity.rawValue, l.message, l.traceID?.databaseBlob,
                l.spanID?.databaseBlob, JSONText.encode(l.attributes),
            ])
            try fts.execute(arguments: [db.lastInsertedRowID, l.message])
        }
    }

    static func insertMetricRollups(_ rollups: [MetricRollup], _ db: Database) throws {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO metric_rollups(time_us, interval_us, name, type, tags, service, count, sum, rate, min, max,
                mean, p50, p90, p95, p99, std, last, uniq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for r in rollups {
            try stmt.execute(arguments: [
                r.timeMicros, r.intervalMicros, r.name, r.type.rawValue, r.tags.sorted().joined(separator: ","),
                r.service, r.count, r.sum, r.rate, r.min, r.max, r.mean, r.p50, r.p90, r.p95, r.p99, r.std, r.last,
                r.unique,
            ])
        }
    }

    static func insertRejects(_ rejects: [RejectRecord], _ db: Database) throws {
        let stmt = try db.cachedStatement(
            sql: "INSERT INTO rejects(at_us, reason, source, sample) VALUES (?, ?, ?, ?)")
        for r in rejects.suffix(rejectsKept) {
            try stmt.execute(arguments: [r.atMicros, r.reason.rawValue, r.source, r.sample])
        }
        try db.cachedStatement(sql: "DELETE FROM rejects WHERE id <= (SELECT max(id) FROM rejects) - ?")
            .execute(arguments: [rejectsKept])
    }
}
