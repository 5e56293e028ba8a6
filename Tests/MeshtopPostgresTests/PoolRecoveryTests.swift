import Foundation
import MeshtopModel
import MeshtopStore
import Testing

@testable import MeshtopPostgres

/// A pooled connection whose session the server ended while it sat idle (a PostgreSQL restart,
/// `pg_terminate_backend`, an idle-session timeout) is never handed out again: the next read opens a new one and
/// answers at once, instead of waiting on the dead connection until its timeout.
@Suite(.serialized) struct PoolRecoveryTests {
    @Test func aReadAfterTheServerEndedAnIdlePooledSessionAnswersAtOnce() throws {
        try TestServer.withDatabase { url in
            let store = try PostgresStore.open(url: url, collectorID: "c1", leaderElection: false)
            defer { store.close() }
            try store.write(WriteBatch(logs: [LogRecord(timeMicros: 1_000_000, service: "api", message: "hello")]))
            let reader = try PostgresStore.openReadOnly(url: url, readTimeout: 30)
            defer { reader.close() }
            let search = LogSearch(window: TimeWindow(sinceMicros: 0, untilMicros: 10_000_000))
            #expect(try reader.logs(search).count == 1)
            #expect(try reader.logs(search).count == 1)

            // End every other session of this database (the reader's idle pooled ones among them).
            let admin = ConnectionPool(url: url)
            defer { admin.close() }
            let ended = try admin.withConnection { c in
                try c.run(
                    """
                    SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()
                    """, admin.logger
                ).map { try $0.decode(Int64.self) }.first ?? 0
            }
            #expect(ended >= 1)
            Thread.sleep(forTimeInterval: 0.5)

            let start = Date()
            #expect(try reader.logs(search).count == 1)
            let seconds = Date().timeIntervalSince(start)
            #expect(seconds < 10, "the read waited \(seconds) s on a dead pooled connection")
        }
    }
}
