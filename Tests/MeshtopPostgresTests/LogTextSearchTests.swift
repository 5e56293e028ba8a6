import Foundation
import MeshtopModel
import MeshtopStore
import Testing

@testable import MeshtopPostgres

/// The log text search walks the time index newest first in pages and may switch to the GIN index for the rest
/// of the window (`PostgresStore.walkTextSearch`). Whatever the pages and the switch, the rows must be those of
/// one `ORDER BY time_us DESC, id DESC LIMIT n` over every match, which each search here is checked against.
@Suite(.serialized) struct LogTextSearchTests {
    /// 3,000 logs, newest first from `t0`, three to an instant, plus 400 at one instant (a tie longer than any
    /// small page); "connection refused" in 2 of every 11 (one as "refused: connection-pool …", which the parser
    /// also splits into `connection`), "connectionrefused" (both substrings, no match) in others, a rare word in
    /// the three oldest only, an accented word, services and severities alternating.
    static func records(t0: Int64) -> [LogRecord] {
        (0..<3_000).map { i in
            var message: String
            if i % 11 == 0 {
                message = "Connection REFUSED by upstream id=\(i)"
            } else if i % 11 == 5 {
                message = "refused: connection-pool exhausted"
            } else if i % 13 == 0 {
                message = "connectionrefused glued id=\(i)"
            } else {
                message = "request completed id=\(i)"
            }
            if [2_990, 2_995, 2_999].contains(i) { message = "gamma ray burst" }
            if i == 2_500 { message = "ÉCHEC Connection Refused" }
            let time = (1_000..<1_400).contains(i) ? t0 - 3_340 : t0 - Int64(i / 3) * 10
            return LogRecord(
                timeMicros: time, service: i % 2 == 0 ? "api" : "db", severity: i % 3 == 0 ? .error : .info,
                message: message)
        }
    }

    static let walks: [(String, PostgresStore.LogWalk)] = [
        ("standard", .standard),
        (
            "walk only, pages of 1 to 64",
            .init(
                firstPage: 1, largestPage: 64, indexFixedMicros: 0, indexPostingMicros: 0, indexMatchMicros: 0,
                adaptive: false, indexAfterPages: nil)
        ),
        (
            "GIN index only",
            .init(
                firstPage: 1, largestPage: 1, indexFixedMicros: 0, indexPostingMicros: 0, indexMatchMicros: 0,
                adaptive: false, indexAfterPages: 0)
        ),
        (
            "two pages of 10 and 40, then the GIN index",
            .init(
                firstPage: 10, largestPage: 40, indexFixedMicros: 0, indexPostingMicros: 0, indexMatchMicros: 0,
                adaptive: false, indexAfterPages: 2)
        ),
        (
            "adaptive, small pages",
            .init(
                firstPage: 10, largestPage: 200, indexFixedMicros: 2_000, indexPostingMicros: 0.18,
                indexMatchMicros: 11, adaptive: true, indexAfterPages: nil)
        ),
    ]

    @Test func everyWalkReturnsTheNewestMatches() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "c1", leaderElection: false)
            defer { store.close() }
            let t0 = SystemClock.wallMicros() - 600_000_000
            try store.write(WriteBatch(logs: Self.records(t0: t0)))
            // Newer than every match: 500 rows no search matches, so a common word's first page finds nothing.
            try store.write(
                WriteBatch(
                    logs: (0..<500).map {
                        LogRecord(timeMicros: t0 + 1 + Int64($0), service: "api", message: "noise \($0)")
                    }))

            let reader = try PostgresStore.openReadOnly(url: url)
            defer { reader.close() }
            let window = TimeWindow(sinceMicros: t0 - 3_600_000_000, untilMicros: t0 + 3_600_000_000)
            func reference(_ s: LogSearch) throws -> [Int64] {
                func quoted(_ v: String) -> String { "'" + v.replacingOccurrences(of: "'", with: "''") + "'" }
                var sql = """
                    SELECT id FROM logs WHERE time_us >= \(s.window.sinceMicros) AND time_us < \(s.window.untilMicros)
                    AND to_tsvector('simple', message) @@ plainto_tsquery('simple', \(quoted(s.text ?? "")))
                    """
                if let service = s.service { sql += " AND service = \(quoted(service))" }
                if let severity = s.minSeverity { sql += " AND severity <= \(severity.rawValue)" }
                sql += " ORDER BY time_us DESC, id DESC LIMIT \(s.limit)"
                return try reader.sql(sql, limit: nil).rows.map { row in
                    guard case .integer(let id)? = row.first else { return -1 }
                    return id
                }
            }
            var searches: [LogSearch] = []
            for limit in [1, 3, 34, 100, 250, 10_000, Int.max] {
                searches.append(LogSearch(window: window, text: "connection refused", limit: limit))
            }
            searches += [
                LogSearch(window: window, text: "REFUSED  connection", limit: 120),
                LogSearch(window: window, service: "api", text: "connection refused", limit: 50),
                LogSearch(window: window, service: "db", minSeverity: .error, text: "connection refused", limit: 500),
                LogSearch(window: window, text: "gamma"),
                LogSearch(window: window, text: "gamma burst", limit: 2),
                LogSearch(window: window, text: "échec"),
                LogSearch(window: window, text: "connectionrefused"),
                LogSearch(window: window, text: "zzzrare"),
                LogSearch(window: window, text: "-- ::"),
                // A window that ends inside the 400-row tie's instant's neighbourhood: the tie is its newest rows.
                LogSearch(
                    window: TimeWindow(sinceMicros: t0 - 9_000, untilMicros: t0 - 3_339), text: "connection refused",
                    limit: 60),
            ]
            let all = try reference(LogSearch(window: window, text: "connection refused", limit: 100_000))
            #expect(all.count == 547)  // 2 in 11 of 3,000, and the accented row, by construction
            #expect(try reference(LogSearch(window: window, text: "gamma")).count == 3)
            for search in searches {
                let expected = try reference(search)
                for (name, walk) in Self.walks {
                    let found = try reader.logs(search, walk: walk)
                    #expect(
                        found.map(\.id) == expected.reversed(),
                        "\(name): \(search.text ?? "") limit \(search.limit) service \(search.service ?? "-")")
                }
                // The public entry point is the standard walk.
                #expect(try reader.logs(search).map(\.id) == expected.reversed())
            }
            let rare = try reader.logs(LogSearch(window: window, text: "gamma"))
            #expect(rare.map(\.record.message) == ["gamma ray burst", "gamma ray burst", "gamma ray burst"])
            #expect(rare.map(\.record.timeMicros) == [t0 - 9_990, t0 - 9_980, t0 - 9_960])
        }
    }
}
