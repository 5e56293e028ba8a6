import Foundation
import MeshtopModel
import MeshtopQuery
import MeshtopStore
import Testing

@testable import MeshtopConsole

/// The console's loads are bounded in time (issue 15 item 4): a query past its bound shows an error in the
/// footer instead of leaving the pane waiting for ever.
@Suite struct BoundedQueryTests {
    /// The sample data, except that the services query never ends on its own: it runs on a real store whose
    /// reads are bounded like the console's (`MeshtopQueries.open(path:timeout:)`), with a shorter bound.
    struct EndlessServices: QueryReading {
        let base = SampleQueries(nowMicros: fixedNow)
        let store: MeshtopStore

        func services(window: TimeWindow) throws -> [ServiceRow] {
            _ = try store.sql(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", limit: nil)
            return []
        }
        func latestEventMicros() throws -> Int64? { try base.latestEventMicros() }
        func traces(_ s: TraceSearch) throws -> [TraceSummary] { try base.traces(s) }
        func trace(idOrPrefix: String) throws -> TraceDetail? { try base.trace(idOrPrefix: idOrPrefix) }
        func topology(window: TimeWindow) throws -> Topology { try base.topology(window: window) }
        func logs(_ s: LogSearch) throws -> [LogRow] { try base.logs(s) }
        func metrics(_ s: MetricSearch) throws -> [MetricRow] { try base.metrics(s) }
        func breakers() throws -> [BreakerStatus] { try base.breakers() }
        func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition] {
            try base.breakerHistory(caller: caller, callee: callee, limit: limit)
        }
        func alerts(state: AlertState?) throws -> [AlertStatus] { try base.alerts(state: state) }
        func alertHistory(limit: Int) throws -> [AlertTransition] { try base.alertHistory(limit: limit) }
        func collectorStatus() throws -> CollectorStatus { try base.collectorStatus() }
        func limits(window: TimeWindow) throws -> [LimitStat] { try base.limits(window: window) }
    }

    @Test func aSlowLoadShowsAnErrorInsteadOfHanging() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshtop-console-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.db"
        _ = try MeshtopStore.open(path: path)
        let reader = EndlessServices(store: try MeshtopStore.openReadOnly(path: path, readTimeout: 0.2))
        let start = Date()
        var h = Harness(cols: 120, reader: reader)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(h.state.noticeIsError)
        #expect(
            h.text.contains("services: took longer than 200ms and was stopped; narrow the time window or the filter"))
        h.keys(.char("3"))
        #expect(!h.text.contains("took longer"), "other views load normally")
    }
}
