import MeshtopModel
import Testing

@testable import MeshtopGovernance

/// The engine reports the thresholds it judges by, for the store (issue 11 item 2).
@Suite struct EngineThresholdsTests {
    @Test func firstTickAndReloadsReportTheEffectiveThresholds() throws {
        let rules = try RuleSet.parse(
            yaml: """
                defaults:
                  latency_objective: 2s
                services:
                  - match: "pay*"
                    error_rate_failing: 5
                """)
        let e = GovernanceEngine(rules: rules)
        let first = e.tick(nowMicros: 1_000_000).healthThresholds
        #expect(first?.map(\.match) == ["pay*", "*"])
        #expect(first?[0].thresholds.failingErrorRate == 5)
        #expect(first?[0].thresholds.latencyObjectiveMicros == 2_000_000)  // inherits the defaults
        #expect(first?[1].thresholds.latencyObjectiveMicros == 2_000_000)
        #expect(e.tick(nowMicros: 2_000_000).healthThresholds == nil)
        e.reload(rules: .empty)
        #expect(e.tick(nowMicros: 3_000_000).healthThresholds == [ServiceSettings(match: "*", thresholds: .default)])
        // Stored and read back, they answer as the rules do.
        let back = RuleSet(thresholds: try #require(first))
        #expect(back.thresholds(for: "payments") == rules.thresholds(for: "payments"))
        #expect(back.thresholds(for: "web") == rules.thresholds(for: "web"))
        #expect(RuleSet(thresholds: []).thresholds(for: "web") == .default)
    }
}
