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
        let separateIndex = textIndex != nil
        try writer.write { db in try Self.insert(batch, into: db, separateIndex: separateIndex) }
        // Not deferred: indexed before returning, on the index's own connection, once the rows are committed.
        if let textIndex, !batch.logs.isEmpty, !batch.defersLogIndexing { _ = try textIndex.indexLogs(maxRows: .max) }
    }

    static func insert(_ batch: WriteBatch, into db: Database, separateIndex: Bool) throws {
        if !batch.spans.isEmpty { try insertSpans(batch, db) }
        if !batch.logs.isEmpty { try insertLogs(batch, db, separateIndex: separateIndex) }
        if !batch.metricRollups.isEmpty { try insertMetricRollups(batch.metricRollups, db) }
        try upsertGovernance(batch, db)
        if !batch.governanceExtras.isEmpty { try writeGovernanceExtras(batch.governanceExtras, db) }
        if !batch.rejects.isEmpty { try insertRejects(batch.rejects, db) }
        for (name, delta) in batch.counterDeltas { try CollectorCounterRecord.add(name, delta, db) }
        if !batch.gauges.isEmpty {
            let now = SystemClock.wallMicros()
            for (name, value) in batch.gauges {
                try CollectorGaugeRecord(name: name, gauge: StoredGauge(value: value, updatedMicros: now)).insert(db)
            }
        }
    }

    static func insertSpans(_ batch: WriteBatch, _ db: Database) throws {
        let spans = batch.spans
        let encoded = batch.spanAttributesJSON.count == spans.count && batch.spanEventsJSON.count == spans.count
        var b = SQLiteBinder(
            try db.cachedStatement(
                sql: """
                    INSERT INTO spans(trace_id, span_id, parent_id, service, name, kind, start_us, duration_us, error,
                        status, status_message, peer_service, attributes, events, links)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """))
        var byTrace = SQLiteBinder(
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO spans_by_trace(bucket, trace_id, span_rowid) VALUES (?, ?, ?)"))
        var json: [UInt8] = []
        json.reserveCapacity(1024)
        for (i, s) in spans.enumerated() {
            b.blob(s.traceID.high, s.traceID.low)
            b.blob(s.spanID.raw)
            if let p = s.parentID { b.blob(p.raw) } else { b.null() }
            b.text(s.service)
            b.text(s.name)
            b.int(s.kind.rawValue)
            b.int(s.startMicros)
            b.int(s.durationMicros)
            b.int(s.isError ? 1 : 0)
            b.int(s.status.rawValue)
            b.text(s.statusMessage)
            b.text(s.peerService)
            if encoded {
                batch.spanAttributesJSON.withText(at: i) { b.text(bytes: $0) }
                batch.spanEventsJSON.withText(at: i) { b.text(bytes: $0) }
            } else {
                json.removeAll(keepingCapacity: true)
                JSONText.append(s.attributes, to: &json)
                b.text(bytes: json)
                json.removeAll(keepingCapacity: true)
                JSONText.append(s.events, to: &json)
                b.text(bytes: json)
            }
            if s.links.isEmpty {
                b.null()
            } else {
                json.removeAll(keepingCapacity: true)
                SpanLinksJSON.append(s.links, to: &json)
                b.text(bytes: json)
            }
            try b.execute(db)
            let rowid = db.lastInsertedRowID
            byTrace.int(rowid >> TraceLookup.bucketShift)
            byTrace.blob(s.traceID.high, s.traceID.low)
            byTrace.int(rowid)
            try byTrace.execute(db)
        }
    }

    /// `separateIndex`: the full-text index is in its own file (`LogTextIndex`), built from the committed rows;
    /// nothing of it is written here. Otherwise `logs_fts` in this database, in this transaction or deferred.
    static func insertLogs(_ batch: WriteBatch, _ db: Database, separateIndex: Bool) throws {
        let logs = batch.logs
        // A mark means a deferring writer may have left rows unindexed: keep it valid for the ids about to be used.
        let hadMark = separateIndex ? false : try ftsIndexedThrough(db) != nil
        if !separateIndex && (batch.defersLogIndexing || hadMark) { try pinFTSMark(db) }
        let encoded = batch.logAttributesJSON.count == logs.count
        let columns = "time_us, service, host, severity, message, trace_id, span_id, attributes"
        var b = SQLiteBinder(
            try db.cachedStatement(sql: "INSERT INTO logs(\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))
        // Ids of deleted rows are never used again when the index has its own file (its mark only rises): the
        // first row after the table was emptied takes the id after the last deleted one.
        var firstID = separateIndex ? try LogTextIndex.firstIDAfterEmptyTable(db) : nil
        var json: [UInt8] = []
        json.reserveCapacity(512)
        for (i, l) in logs.enumerated() {
            if let id = firstID {
                b = SQLiteBinder(
                    try db.cachedStatement(sql: "INSERT INTO logs(id, \(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
                b.int(id)
            }
            b.int(l.timeMicros)
            b.text(l.service)
            b.text(l.host)
            b.int(l.severity.rawValue)
            b.text(l.message)
            if let t = l.traceID { b.blob(t.high, t.low) } else { b.null() }
            if let sp = l.spanID { b.blob(sp.raw) } else { b.null() }
            if encoded {
                batch.logAttributesJSON.withText(at: i) { b.text(bytes: $0) }
            } else {
                json.removeAll(keepingCapacity: true)
                JSONText.append(l.attributes, to: &json)
                b.text(bytes: json)
            }
            try b.execute(db)
            if firstID != nil {
                firstID = nil
                b = SQLiteBinder(
                    try db.cachedStatement(sql: "INSERT INTO logs(\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))
            }
        }
        // The batch's rows have consecutive ids (one writer, one transaction).
        let last = db.lastInsertedRowID
        try LogZones.record(logs, firstID: last - Int64(logs.count) + 1, db)
        guard !batch.defersLogIndexing, !separateIndex else { return }
        // Index the batch's messages in one statement that reads them back from the pages just written, instead
        // of binding every message twice. A tail left by a deferring writer is indexed with them and its mark
        // removed.
        let first = hadMark ? (try ftsIndexedThrough(db) ?? 0) + 1 : last - Int64(logs.count) + 1
        try indexLogRows(db, from: first, through: last)
        if hadMark { try removeFTSMark(db) }
    }

    static func insertMetricRollups(_ rollups: [MetricRollup], _ db: Database) throws {
        for r in rollups { try MetricRollupRecord(r).insert(db) }
    }

    static func insertRejects(_ rejects: [RejectRecord], _ db: Database) throws {
        for r in rejects.suffix(rejectsKept) { try r.insert(db) }
        try db.cachedStatement(sql: "DELETE FROM rejects WHERE id <= (SELECT max(id) FROM rejects) - ?")
            .execute(arguments: [rejectsKept])
    }
}
