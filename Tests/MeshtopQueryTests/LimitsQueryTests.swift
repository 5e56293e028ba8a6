import MeshtopModel
import MeshtopQuery
import MeshtopStore
import Testing

/// `query limits`: the collector's per-minute flow rule counts, upserted and summed over the window.
@Suite struct LimitsQueryTests {
    typealias F = FixtureDatabase

    @Test func limitsAreSummedPerRuleAndResource() throws {
        let store = try MeshtopStore.inMemory()
        func stat(
            _ minute: Int64, _ rule: String, service: String = "", caller: String = "", callee: String = "",
            _ passed: Int64, _ blocked: Int64, _ queued: Int64 = 0
        ) -> LimitStat {
            LimitStat(
                minuteMicros: F.t0 + minute * F.minute, rule: rule, service: service, caller: caller, callee: callee,
                passed: passed, blocked: blocked, queued: queued)
        }
        var batch = WriteBatch()
        batch.governanceExtras.limitStats = [
            stat(0, "db-5qps", caller: "web", callee: "db", 10, 2),
            stat(0, "throttle", service: "db", 20, 0, 4),
            stat(1, "db-5qps", caller: "web", callee: "db", 5, 1),
            stat(40, "db-5qps", caller: "web", callee: "db", 99, 99),  // outside the window
        ]
        try store.write(batch)
        var update = WriteBatch()  // a later tick's upsert of minute 1 replaces it
        update.governanceExtras.limitStats = [stat(1, "db-5qps", caller: "web", callee: "db", 30, 3)]
        try store.write(update)
        let rows = try MeshtopQueries(reader: store).limits(window: F.window)
        #expect(
            JSONRenderer.array(Records.limits(rows).records) == """
                [
                {"rule":"db-5qps","service":null,"caller":"web","callee":"db","passed":40,"blocked":5,"queued":0,\
                "blocked_rate":0.111111},
                {"rule":"throttle","service":"db","caller":null,"callee":null,"passed":20,"blocked":0,"queued":4,\
                "blocked_rate":0}
                ]
                """)
    }
}
