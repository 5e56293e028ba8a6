import Foundation
import GRDB

/// What one `prune` call deleted.
public struct PruneResult: Hashable, Sendable {
    /// Rows deleted per table.
    public var deleted: [String: Int64] = [:]
    /// Write transactions used (each one short).
    public var transactions: Int = 0
    /// The longest single write transaction, in milliseconds of wall time.
    public var longestLockMillis: Double = 0
    /// The longest transaction's own time (wall time minus time its thread waited for a CPU), in milliseconds:
    /// what the lock would be held on an unloaded machine.
    public var longestOwnMillis: Double = 0
    /// The table whose delete transaction had the longest own time.
    public var slowestTable: String?
    /// Bytes in use by pages holding data (`page_count - freelist_count`), before and after.
    public var usedBytesBefore: Int64 = 0
    public var usedBytesAfter: Int64 = 0

    /// Total rows deleted.
    public var totalDeleted: Int64 { deleted.values.reduce(0, +) }
}

extension MeshtopStore {
    /// Each prune transaction aims at this duration; the chunk size adapts to stay there, well under 50 ms.
    static let pruneTargetSeconds = 0.008

    /// Deletes spans and logs older than `rawOlderThan` (µs since epoch), rollups and breaker transitions
    /// older than `rollupsOlderThan`, then, while the data in use exceeds `maxBytes`, the oldest spans and logs
    /// (then the oldest rollups). Works in many small transactions so the collector's batches interleave; freed
    /// pages are reused by later writes, so the file stops growing rather than shrinking. Alert history and
    /// current breaker/alert states are kept.
    @discardableResult
    public func prune(rawOlderThan: Int64, rollupsOlderThan: Int64, maxBytes: Int64? = nil) throws -> PruneResult {
        try requireWritable()
        var result = PruneResult()
        result.usedBytesBefore = try usedBytes()
        var pruner = ChunkedPruner(store: self)
        try pruner.deleteRaw(olderThan: rawOlderThan)
        for (table, column) in Self.rollupTables {
            try pruner.delete(table: table, timeColumn: column, olderThan: rollupsOlderThan)
        }
        if let maxBytes { try pruneToSize(maxBytes, &pruner) }
        result.deleted = pruner.deleted.filter { $0.value > 0 }
        result.transactions = pruner.transactions
        result.longestLockMillis = pruner.longestSeconds * 1000
        result.longestOwnMillis = pruner.longestOwnSeconds * 1000
        result.slowestTable = pruner.slowestTable
        result.usedBytesAfter = try usedBytes()
        if result.totalDeleted > 0 { checkpoint() }
        return result
    }

    /// Tables pruned by age with the rollups, and their time column.
    static let rollupTables = [
        (MetricRollupRecord.databaseTableName, MetricRollupRecord.Columns.time.name),
        (ServiceRollupRecord.databaseTableName, ServiceRollupRecord.Columns.minute.name),
        (EdgeRollupRecord.databaseTableName, EdgeRollupRecord.Columns.minute.name),
        (BreakerTransitionRecord.databaseTableName, BreakerTransitionRecord.Columns.at.name),
        (LimitStatRecord.databaseTableName, LimitStatRecord.Columns.minute.name),
        (ServiceConcurrencyRecord.databaseTableName, ServiceConcurrencyRecord.Columns.minute.name),
    ]

    /// Bytes in pages that hold data (free pages excluded), of the database and of its full-text index file.
    public func usedBytes() throws -> Int64 {
        try read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA main.page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA main.freelist_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA main.page_size") ?? 4096
            return (pages - free) * size
        } + (try textIndex?.usedBytes() ?? 0)
    }

    private func pruneToSize(_ maxBytes: Int64, _ pruner: inout ChunkedPruner) throws {
        // Drop 5 % of the remaining time range per round until under 90 % of the limit (hysteresis).
        let goal = maxBytes / 10 * 9
        guard try usedBytes() > maxBytes else { return }
        for raw in [true, false] {
            var previousOldest: Int64?
            while try usedBytes() > goal {
                // A round that left the oldest time where it was ends it: what is left cannot go yet (log rows
                // not yet in the full-text index wait for the next prune).
                guard let (oldest, newest) = try timeRange(raw: raw), oldest != previousOldest else { break }
                previousOldest = oldest
                let cutoff = oldest + max(1, (newest - oldest) / 20)
                if raw {
                    try pruner.deleteRaw(olderThan: cutoff)
                } else {
                    for (table, column) in Self.rollupTables {
                        try pruner.delete(table: table, timeColumn: column, olderThan: cutoff)
                    }
                }
            }
        }
    }

    /// Oldest and newest time over the raw tables (or the rollup tables); nil when they are empty. Logs have no
    /// time index: their range comes from `log_blocks`.
    private func timeRange(raw: Bool) throws -> (Int64, Int64)? {
        let pairs = raw ? [("spans", "start_us")] : Self.rollupTables
        return try read { db in
            var ranges: [(Int64, Int64)] = []
            for (table, column) in pairs {
                let row = try Row.fetchOne(db, sql: "SELECT min(\(column)), max(\(column)) FROM \(table)")
                if let a: Int64 = row?[0], let b: Int64 = row?[1] { ranges.append((a, b)) }
            }
            if raw, let logs = try LogZones.timeRange(db) { ranges.append(logs) }
            guard let lo = ranges.map(\.0).min(), let hi = ranges.map(\.1).max() else { return nil }
            return (lo, hi)
        }
    }
}
