import Foundation
import GRDB
import MeshtopModel

extension MeshtopStore: StoreReader {
    public var location: String { path }

    public func writerStatus() -> String? { WriterLock.status(databasePath: path) }

    public func latestEventMicros() throws -> Int64? {
        try read { db in
            try [
                Int64.fetchOne(db, StoredSpan.select(max(StoredSpan.Columns.start))),
                try db.tableExists("log_blocks")
                    ? Int64.fetchOne(db, sql: "SELECT max(max_time_us) FROM log_blocks")
                    : Int64.fetchOne(db, StoredLog.select(max(StoredLog.Columns.time))),
                Int64.fetchOne(db, MetricRollupRecord.select(max(MetricRollupRecord.Columns.time))),
            ].compactMap { $0 }.max()
        }
    }

    public func counters() throws -> [String: Int64] {
        try read { db in
            var out: [String: Int64] = [:]
            for record in try CollectorCounterRecord.fetchAll(db) { out[record.name] = record.value }
            return out
        }
    }

    public func gauges() throws -> [String: StoredGauge] {
        try read { db in
            var out: [String: StoredGauge] = [:]
            for record in try CollectorGaugeRecord.fetchAll(db) { out[record.name] = record.gauge }
            return out
        }
    }

    public func recentRejects(limit: Int = MeshtopStore.rejectsKept) throws -> [RejectRecord] {
        try read { db in
            try RejectRecord.order(RejectRecord.Columns.id.desc).limit(limit).fetchAll(db)
        }
    }

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
        try read { db in try Self.spans(db, blob: traceID.databaseBlob) }
    }

    /// The logs that carry one trace id, by time (`TraceLookup.logsOfTraceSQL`).
    public func logs(traceID: TraceID) throws -> [StoredLog] {
        try read { db in
            try StoredLog.fetchAll(
                db.cachedStatement(sql: TraceLookup.logsOfTraceSQL), arguments: [traceID.databaseBlob])
        }
    }

    /// Trace ids whose hex starts with `hexPrefix` (case-insensitive), at most `limit`, in id order.
    public func traceIDs(hexPrefix: String, limit: Int = 20) throws -> [TraceID] {
        guard let range = TraceID.databaseBlobRange(hexPrefix: hexPrefix) else { return [] }
        return try read { db in
            try Self.traceIDBlobs(db, range, limit: limit).compactMap { TraceID(databaseBlob: $0) }
        }
    }

    static func spans(_ db: Database, blob: Data) throws -> [StoredSpan] {
        try StoredSpan.fetchAll(db.cachedStatement(sql: TraceLookup.spansOfTraceSQL), arguments: [blob])
    }

    static func traceIDBlobs(_ db: Database, _ range: (lower: Data, upper: Data?), limit: Int) throws -> [Data] {
        let upper = range.upper ?? Data(repeating: 0xFF, count: 17)
        return try Data.fetchAll(
            db.cachedStatement(sql: TraceLookup.traceIDsInRangeSQL), arguments: [range.lower, upper, limit])
    }
}
