import Foundation
import GRDB
import MeshtopModel

/// Coarse indexes of the `logs` table, written once per batch instead of once per row (docs/storage.md, "Log
/// blocks and zones"). They replace the per-row b-trees `logs_time` and `logs_service_time`, which cost more than
/// half of a log row's insert.
///
/// - `log_blocks`: runs of consecutive row ids (at most `blockRows`), with the least and greatest `time_us` in
///   them. A time window reads the blocks that overlap it, newest first.
/// - `log_zones`: per service, the ids of its rows (a posting list, `ids`: LEB128 gaps from `first_id`, the first
///   gap 0; at most `zoneRows` ids), with their least and greatest `time_us`. A search by service reads exactly its
///   rows. `ids` NULL (zones built by the `v10-log-blocks` migration): every row in `[first_id, last_id]` is a
///   candidate.
///
/// Bounds are conservative: a pruned or reused id leaves a block's or zone's bounds wider than its rows, never
/// narrower, and every read checks the row's own columns. A block (zone) grows while it has fewer than `blockRows`
/// (`zoneRows`) rows and spans at most `extendSpanMicros`, so a light load does not write one per batch.
enum LogZones {
    /// Rows per block at most.
    static let blockRows = 4096
    /// Rows per zone at most: a search by service reads every row of a zone it visits, so zones are smaller.
    static let zoneRows = 1024
    /// A block or zone is extended by a later batch only while its times span at most this (60 s).
    static let extendSpanMicros: Int64 = 60_000_000

    // MARK: Writing

    /// Records the blocks and zones of `logs`, just inserted with the consecutive ids `firstID…`.
    static func record(_ logs: [LogRecord], firstID: Int64, _ db: Database) throws {
        guard !logs.isEmpty else { return }
        // Times and services read once, by index: iterating the records would copy each one (retaining every
        // field), which cost more than the zones' SQL at 100,000 lines/s.
        let times = logs.map(\.timeMicros)
        try recordBlocks(times, firstID: firstID, db)
        var byService: [String: [Int]] = [:]
        for i in logs.indices { byService[logs[i].service, default: []].append(i) }
        for service in byService.keys.sorted() {
            try recordZone(service, times, byService[service]!, firstID: firstID, db)
        }
    }

    private static func recordBlocks(_ times: [Int64], firstID: Int64, _ db: Database) throws {
        var start = 0
        if let newest = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT first_id, last_id, min_time_us, max_time_us, rows FROM log_blocks
                    ORDER BY first_id DESC LIMIT 1
                    """))
        {
            let (first, last, lo, hi, rows): (Int64, Int64, Int64, Int64, Int) = (
                newest[0], newest[1], newest[2], newest[3], newest[4]
            )
            let take = min(blockRows - rows, times.count)
            if last == firstID - 1, take > 0 {
                let (mn, mx) = timeBounds(times[0..<take])
                let newLo = min(lo, mn)
                let newHi = max(hi, mx)
                if newHi - newLo <= extendSpanMicros {
                    try db.cachedStatement(
                        sql: """
                            UPDATE log_blocks SET last_id = ?, min_time_us = ?, max_time_us = ?, rows = ?
                            WHERE first_id = ?
                            """
                    ).execute(arguments: [last + Int64(take), newLo, newHi, rows + take, first])
                    start = take
                }
            }
        }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO log_blocks(first_id, last_id, min_time_us, max_time_us, rows) VALUES (?, ?, ?, ?, ?)")
        while start < times.count {
            let end = min(start + blockRows, times.count)
            let (mn, mx) = timeBounds(times[start..<end])
            try insert.execute(arguments: [firstID + Int64(start), firstID + Int64(end - 1), mn, mx, end - start])
            start = end
        }
    }

    private static func recordZone(
        _ service: String, _ times: [Int64], _ indexes: [Int], firstID: Int64, _ db: Database
    ) throws {
        var start = 0
        if let newest = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT last_id, min_time_us, max_time_us, rows, ids FROM log_zones
                    WHERE service = ? ORDER BY last_id DESC LIMIT 1
                    """), arguments: [service])
        {
            let (last, lo, hi, rows): (Int64, Int64, Int64, Int) = (newest[0], newest[1], newest[2], newest[3])
            let take = min(zoneRows - rows, indexes.count)
            if let ids = newest[4] as Data?, take > 0, last < firstID {
                let part = indexes[0..<take]
                let (mn, mx) = timeBounds(part.lazy.map { times[$0] })
                let newLo = min(lo, mn)
                let newHi = max(hi, mx)
                if newHi - newLo <= extendSpanMicros {
                    var bytes = [UInt8](ids)
                    let newLast = appendGaps(part.lazy.map { firstID + Int64($0) }, after: last, to: &bytes)
                    try db.cachedStatement(
                        sql: """
                            UPDATE log_zones SET last_id = ?, min_time_us = ?, max_time_us = ?, rows = ?, ids = ?
                            WHERE service = ? AND last_id = ?
                            """
                    ).execute(arguments: [newLast, newLo, newHi, rows + take, Data(bytes), service, last])
                    start = take
                }
            }
        }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO log_zones(service, last_id, first_id, min_time_us, max_time_us, rows, ids)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        while start < indexes.count {
            let end = min(start + zoneRows, indexes.count)
            let part = indexes[start..<end]
            let first = firstID + Int64(part.first!)
            let (mn, mx) = timeBounds(part.lazy.map { times[$0] })
            var bytes: [UInt8] = []
            bytes.reserveCapacity(part.count * 2)
            let last = appendGaps(part.lazy.map { firstID + Int64($0) }, after: first, to: &bytes)
            try insert.execute(arguments: [service, last, first, mn, mx, end - start, Data(bytes)])
            start = end
        }
    }

    private static func timeBounds<C: Collection>(_ times: C) -> (Int64, Int64) where C.Element == Int64 {
        var lo = Int64.max
        var hi = Int64.min
        for t in times {
            lo = min(lo, t)
            hi = max(hi, t)
        }
        return (lo, hi)
    }

    /// Appends the gaps between `previous` and each of the ascending `ids` as LEB128; returns the last id.
    static func appendGaps<S: Sequence>(_ ids: S, after previous: Int64, to bytes: inout [UInt8]) -> Int64
    where S.Element == Int64 {
        var prev = previous
        for id in ids {
            var gap = UInt64(id - prev)
            while gap >= 0x80 {
                bytes.append(UInt8(gap & 0x7f) | 0x80)
                gap >>= 7
            }
            bytes.append(UInt8(gap))
            prev = id
        }
        return prev
    }

    /// The ids of a zone's posting list.
    static func ids(_ bytes: Data, first: Int64) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(bytes.count)
        var current = first
        var gap: UInt64 = 0
        var shift: UInt64 = 0
        for b in bytes {
            gap |= UInt64(b & 0x7f) << shift
            if b & 0x80 != 0 {
                shift += 7
                continue
            }
            current += Int64(gap)
            out.append(current)
            gap = 0
            shift = 0
        }
        return out
    }

    // MARK: Reading

    /// The ids of the newest `limit` rows matching `filter` (which must not need an index), ordered by time then
    /// id, newest first, for a search in `window` (of `service` when given). Walks the blocks (or the service's
    /// zones) that overlap the window, greatest `max_time_us` first, and stops once no later one can hold a row
    /// newer than the `limit`-th found.
    static func newest(
        _ db: Database, window: TimeWindow, service: String?, filter: SQLFilter, limit: Int
    ) throws -> [Int64] {
        let zones: Statement
        if let service {
            zones = try db.cachedStatement(
                sql: """
                    SELECT first_id, last_id, max_time_us, ids FROM log_zones
                    WHERE service = ? AND max_time_us >= ? AND min_time_us < ? ORDER BY max_time_us DESC
                    """)
            try zones.setArguments([service, window.sinceMicros, window.untilMicros])
        } else {
            zones = try db.cachedStatement(
                sql: """
                    SELECT first_id, last_id, max_time_us, NULL FROM log_blocks
                    WHERE max_time_us >= ? AND min_time_us < ? ORDER BY max_time_us DESC
                    """)
            try zones.setArguments([window.sinceMicros, window.untilMicros])
        }
        let cursor = try Row.fetchCursor(zones)
        var range = filter
        range.add("logs.id BETWEEN ? AND ?", Int64(0), Int64(0))
        let byRange = "SELECT logs.id, logs.time_us FROM logs" + range.clause
        var listed = filter
        listed.add("logs.id IN (SELECT value FROM json_each(?))", "")
        let byList = "SELECT logs.id, logs.time_us FROM logs" + listed.clause
        let base = filter.arguments
        var found: [(id: Int64, time: Int64)] = []
        var seen = Set<Int64>()
        while let zone = try cursor.next() {
            let maxTime: Int64 = zone[2]
            if found.count >= limit, maxTime < found[limit - 1].time { break }
            let rows: RowCursor
            if let list = zone[3] as Data? {
                let ids = Self.ids(list, first: zone[0])
                let json = "[" + ids.map(String.init).joined(separator: ",") + "]"
                rows = try Row.fetchCursor(db.cachedStatement(sql: byList), arguments: base + [json])
            } else {
                rows = try Row.fetchCursor(
                    db.cachedStatement(sql: byRange), arguments: base + [zone[0] as Int64, zone[1] as Int64])
            }
            var added = false
            while let row = try rows.next() {
                let id: Int64 = row[0]
                if seen.insert(id).inserted {
                    found.append((id, row[1]))
                    added = true
                }
            }
            if added {
                found.sort { $0.time != $1.time ? $0.time > $1.time : $0.id > $1.id }
                if found.count > limit {
                    for dropped in found[limit...] { seen.remove(dropped.id) }
                    found.removeLast(found.count - limit)
                }
            }
        }
        return found.map(\.id)
    }

    // MARK: Pruning

    /// Oldest and newest `time_us` of the logs, from the blocks (bounds: possibly wider after deletions).
    static func timeRange(_ db: Database) throws -> (Int64, Int64)? {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT (SELECT min(min_time_us) FROM log_blocks), (SELECT max(max_time_us) FROM log_blocks)
                """)
        guard let lo: Int64 = row?[0], let hi: Int64 = row?[1] else { return nil }
        return (lo, hi)
    }

    /// The block holding the oldest time before `cutoff`, as `(first_id, last_id)`.
    static func oldestBlock(before cutoff: Int64, _ db: Database) throws -> (Int64, Int64)? {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT first_id, last_id FROM log_blocks WHERE min_time_us < ? ORDER BY min_time_us LIMIT 1"),
            arguments: [cutoff])
        guard let row else { return nil }
        return (row[0], row[1])
    }

    /// After rows of the block `[first, last]` were deleted: its bounds from the rows left, or no block when none
    /// is; zones whose ids all lie below the oldest row left go too.
    static func shrinkBlock(first: Int64, last: Int64, _ db: Database) throws {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT max(id), min(time_us), max(time_us), count(*) FROM logs WHERE id BETWEEN ? AND ?
                    """), arguments: [first, last])
        // `first_id` stays: a reused id may have started the next block there.
        if let row, let hi: Int64 = row[0] {
            try db.cachedStatement(
                sql: "UPDATE log_blocks SET last_id = ?, min_time_us = ?, max_time_us = ?, rows = ? WHERE first_id = ?"
            ).execute(arguments: [hi, row[1] as Int64, row[2] as Int64, row[3] as Int, first])
        } else {
            try db.cachedStatement(sql: "DELETE FROM log_blocks WHERE first_id = ?").execute(arguments: [first])
        }
        try db.cachedStatement(
            sql: "DELETE FROM log_zones WHERE last_id < coalesce((SELECT min(id) FROM logs), 9223372036854775807)"
        ).execute()
    }
}
