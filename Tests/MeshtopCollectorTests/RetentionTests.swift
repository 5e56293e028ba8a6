import GRDB
import Testing

@testable import MeshtopCollector

@Suite struct RetentionTests {
    @Test func rawDataOlderThanRetainIsPrunedWhileTheCollectorRuns() async throws {
        let h = try await Harness {
            $0.retainRawMicros = 3_600_000_000
            $0.pruneIntervalMicros = 100_000
        }
        try await h.send([
            Array("<11>1 2020-01-01T00:00:00Z host old-app - - - from 2020".utf8),
            Array("<14>1 - host new-app - - - received now".utf8),
        ])
        try await h.waitUntil {
            let services = try? h.rows("SELECT service FROM logs").map { $0["service"] as String }
            return services == ["new-app"]
        }
        await h.collector.stop()
        #expect(try h.counters()["parsed.logs"] == 2)
        #expect(try h.rows("SELECT service FROM logs").map { $0["service"] as String } == ["new-app"])
    }
}
