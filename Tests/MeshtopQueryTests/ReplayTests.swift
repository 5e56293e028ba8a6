import MeshtopGovernance
import MeshtopModel
import MeshtopQuery
import MeshtopStore
import Testing

/// `ReplayRun` over a deterministic stream: 20 good then 20 failed `web → db` calls, 100 ms apart, each 10 ms.
@Suite struct ReplayTests {
    static let t0: Int64 = RFC3339.parse("2026-11-26T10:00:00Z")!
    static let window = TimeWindow(sinceMicros: t0, untilMicros: t0 + 60_000_000)

    static func spans() -> [Span] {
        var out: [Span] = []
        for i in 0..<40 {
            let n = UInt64(i + 1)
            let start: Int64 = t0 + 10_000_000 + Int64(i) * 100_000
            out.append(
                Span(
                    traceID: TraceID(high: 1, low: n), spanID: SpanID(n), parentID: nil, service: "web",
                    name: "query", kind: .client, startMicros: start, durationMicros: 10_000, isError: i >= 20,
                    peerService: "db"))
        }
        return out
    }

    static func store() throws -> MeshtopStore {
        let store = try MeshtopStore.inMemory()
        try store.write(WriteBatch(spans: spans()))
        return store
    }

    static func rules(threshold: Int) throws -> RuleSet {
        try RuleSet.parse(
            yaml: """
                breakers:
                  - caller: web
                    callee: db
                    preset: hystrix
                    failure_rate_threshold: \(threshold)
                """)
    }

    @Test func breakerOpensAtTheCallThatTipsTheRate() throws {
        // Hystrix: 20 calls minimum, 50 % in a 10 s window: the 40th call (20 of 40 failed) trips it.
        let result = try ReplayRun(reader: try Self.store(), rules: try Self.rules(threshold: 50), pageSize: 7)
            .run(window: Self.window)
        #expect(result.spans == 40)
        let opened = result.transitions.filter { $0.kind == .breaker && $0.to == "open" }
        #expect(opened.count == 1)
        #expect(opened.first?.origin == .replayed)
        #expect(opened.first?.caller == "web" && opened.first?.callee == "db")
        #expect(opened.first?.atMicros == Self.spans()[39].endMicros)
    }

    @Test func higherThresholdNeverOpens() throws {
        let result = try ReplayRun(reader: try Self.store(), rules: try Self.rules(threshold: 90), pageSize: 7)
            .run(window: Self.window)
        #expect(result.spans == 40)
        #expect(!result.transitions.contains { $0.kind == .breaker && $0.to == "open" })
    }

    @Test func recordedTransitionsAreSetBeside() throws {
        let store = try Self.store()
        try store.write(
            WriteBatch(breakerTransitions: [
                BreakerTransition(
                    caller: "web", callee: "db", atMicros: Self.t0 + 14_000_000, from: .closed, to: .open,
                    failureRate: 50, slowCallRate: 0, calls: 40, failedCalls: 20, slowCalls: 0)
            ]))
        let result = try ReplayRun(reader: store, rules: try Self.rules(threshold: 90)).run(window: Self.window)
        #expect(result.transitions.map(\.origin) == [.recorded])
        let json = ReplayRenderer.render(result, as: .json)
        #expect(json.contains("\"origin\":\"recorded\""))
        #expect(json.contains("\"spans\":40"))
    }
}
