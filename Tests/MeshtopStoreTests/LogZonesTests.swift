import Foundation
import GRDB
import MeshtopModel
import MeshtopStore
import Testing

/// Log windows are read through `log_blocks` and `log_zones` (no per-row time or service index): the answers
/// must be those of a scan of every row, on a stream with out-of-order times, many services, small and large
/// batches, and after pruning.
@Suite struct LogZonesTests {
    static let services = ["api", "billing", "cart", "db", "edge", "feed", "geo"]
    static let t0: Int64 = 1_800_000_000_000_000

    /// Batches of 1…9,000 rows (a light load's single lines and a burst's large batches), times mostly rising
    /// with jitter, some far in the past (a device with a wrong clock), services skewed ("api" common, "geo" rare).
    static func stream(seed: UInt64) -> [[LogRecord]] {
        var random = SeededRandom(seed: seed)
        var batches: [[LogRecord]] = []
        var clock = t0
        for b in 0..<120 {
            let size = b % 10 == 0 ? Int(random.next() % 9_000) + 1 : Int(random.next() % 40) + 1
            var batch: [LogRecord] = []
            for _ in 0..<size {
                clock += Int64(random.next() % 3_000)
                var time = clock + Int64(random.next() % 2_000_000) - 1_000_000
                if random.next() % 500 == 0 { time -= 86_400_000_000 }
                let pick = Int(random.next() % 100)
                let service = pick < 50 ? "api" : pick == 99 ? "geo" : services[1 + pick % 5]
                let severity: Severity = random.next() % 10 == 0 ? .error : .info
                batch.append(
                    LogRecord(
                        timeMicros: time, service: service, host: "h", severity: severity, message: "line \(b)"))
            }
            if b % 17 == 0 { clock += 120_000_000 }
            batches.append(batch)
        }
        return batches
    }

    /// An in-memory store with `stream(seed:)` written to it, one batch per write.
    static func written(seed: UInt64) throws -> MeshtopStore {
        let store = try MeshtopStore.inMemory()
        for batch in stream(seed: seed) { try store.write(WriteBatch(logs: batch)) }
        return store
    }

    /// Every row with its id, as a scan would see it.
    static func all(_ store: MeshtopStore) throws -> [(id: Int64, log: LogRecord)] {
        try store.read { (db: Database) throws in
            try Row.fetchAll(db, sql: "SELECT id, time_us, service, severity FROM logs").map { row in
                (
                    row[0],
                    LogRecord(
                        timeMicros: row[1], service: row[2], host: "h",
                        severity: Severity(rawValue: row[3]) ?? .info, message: "")
                )
            }
        }
    }

    /// The ids `store.logs(search)` must return: matching rows, the newest `limit` by time then id, oldest first.
    static func expected(_ rows: [(id: Int64, log: LogRecord)], _ search: LogSearch) -> [Int64] {
        let matching = rows.filter { r in
            r.log.timeMicros >= search.window.sinceMicros && r.log.timeMicros < search.window.untilMicros
                && (search.service == nil || r.log.service == search.service)
                && (search.minSeverity == nil || r.log.severity.rawValue <= search.minSeverity!.rawValue)
        }
        let newest = matching.sorted { a, b in
            a.log.timeMicros != b.log.timeMicros ? a.log.timeMicros > b.log.timeMicros : a.id > b.id
        }
        return newest.prefix(search.limit).reversed().map(\.id)
    }

    static func searches(_ rows: [(id: Int64, log: LogRecord)]) -> [LogSearch] {
        let times = rows.map(\.log.timeMicros).sorted()
        let lo = times[times.count / 10]
        let mid = times[times.count / 2]
        let hi = times.last! + 1
        var out: [LogSearch] = []
        for window in [
            TimeWindow(sinceMicros: 0, untilMicros: .max), TimeWindow(sinceMicros: lo, untilMicros: mid),
            TimeWindow(sinceMicros: mid, untilMicros: hi),
            TimeWindow(sinceMicros: t0 - 90_000_000_000, untilMicros: t0),
        ] {
            for service in [nil] + services.map(Optional.some) {
                for severity in [nil, Severity.error] {
                    for limit in [1, 100, 5_000] {
                        out.append(LogSearch(window: window, service: service, minSeverity: severity, limit: limit))
                    }
                }
            }
        }
        return out
    }

    func check(_ store: MeshtopStore) throws {
        let rows = try Self.all(store)
        for search in Self.searches(rows) {
            let got = try store.logs(search).map(\.id)
            #expect(got == Self.expected(rows, search), "\(search)")
        }
    }

    @Test func windowsAndServicesMatchAScanOfEveryRow() throws {
        let store = try Self.written(seed: 7)
        try check(store)
        // Blocks cover every row once, and no block is larger than 4,096 rows, no zone than 1,024.
        try store.read { (db: Database) throws in
            let covered = try Int.fetchOne(db, sql: "SELECT sum(last_id - first_id + 1) FROM log_blocks")
            #expect(covered == (try Int.fetchOne(db, sql: "SELECT count(*) FROM logs")))
            #expect(try Int.fetchOne(db, sql: "SELECT max(rows) FROM log_blocks") == 4_096)
            #expect(try Int.fetchOne(db, sql: "SELECT max(rows) FROM log_zones") == 1_024)
            let zoneRows = try Int.fetchOne(db, sql: "SELECT sum(rows) FROM log_zones")
            #expect(zoneRows == (try Int.fetchOne(db, sql: "SELECT count(*) FROM logs")))
        }
    }

    /// One line per batch, a second apart: blocks and zones grow instead of one per batch, up to 60 s of times.
    @Test func aLightLoadExtendsBlocksAndZones() throws {
        let store = try MeshtopStore.inMemory()
        for i in 0..<150 {
            var b = WriteBatch()
            b.logs = [
                LogRecord(
                    timeMicros: Self.t0 + Int64(i) * 1_000_000, service: i % 2 == 0 ? "a" : "b", host: "h",
                    severity: .info, message: "tick \(i)")
            ]
            try store.write(b)
        }
        try store.read { (db: Database) throws in
            // 150 s of lines: blocks of at most 61 lines (60 s), three of them.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM log_blocks") == 3)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM log_zones WHERE service = 'a'") == 3)
        }
        try check(store)
        let b = try store.logs(LogSearch(window: TimeWindow(sinceMicros: 0, untilMicros: .max), service: "b", limit: 3))
        #expect(b.map(\.record.message) == ["tick 145", "tick 147", "tick 149"])
    }

    /// Pruning by age goes through the blocks: exactly the old rows go (out-of-order ones included), the bounds
    /// shrink to the rows left, zones whose rows are all gone go, and windows still match a scan.
    @Test func pruningDeletesExactlyTheOldRowsAndKeepsWindowsRight() throws {
        let store = try Self.written(seed: 11)
        let before = try Self.all(store)
        let times = before.map(\.log.timeMicros).sorted()
        let cutoff = times[times.count / 2]
        let result = try store.prune(rawOlderThan: cutoff, rollupsOlderThan: 0)
        let old = before.filter { $0.log.timeMicros < cutoff }.count
        #expect(result.deleted["logs"] == Int64(old))
        let after = try Self.all(store)
        #expect(after.count == before.count - old)
        #expect(after.allSatisfy { $0.log.timeMicros >= cutoff })
        try store.read { (db: Database) throws in
            #expect(
                try Int.fetchOne(db, sql: "SELECT count(*) FROM log_blocks WHERE min_time_us < ?", arguments: [cutoff])
                    == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT sum(rows) FROM log_blocks") == after.count)
            let minID = try Int64.fetchOne(db, sql: "SELECT min(id) FROM logs")!
            #expect(
                try Int.fetchOne(db, sql: "SELECT count(*) FROM log_zones WHERE last_id < ?", arguments: [minID]) == 0)
            // Text search still finds what is left (the full-text rows of deleted lines went with them).
            #expect(
                try Int.fetchOne(db, sql: "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'line'") == after.count)
        }
        try check(store)
        // New rows after pruning are found too.
        var b = WriteBatch()
        b.logs = [LogRecord(timeMicros: times.last! + 5, service: "geo", host: "h", severity: .error, message: "late")]
        try store.write(b)
        try check(store)
    }
}
