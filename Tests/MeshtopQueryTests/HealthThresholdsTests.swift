import MeshtopGovernance
import MeshtopModel
import MeshtopQuery
import MeshtopStore
import Testing

/// Readers judge health with the thresholds the collector stored, or a what-if rules file, never the defaults
/// when the collector ran others (issue 11 item 2).
@Suite struct HealthThresholdsTests {
    typealias F = FixtureDatabase

    /// frontend: p99 200 ms, objective 150 ms → degraded (healthy by default). orders: 2 % errors, degraded
    /// above 5 % → healthy (degraded by default). payments keeps its open inbound breaker → failing.
    static let collectorRules = [
        ServiceSettings(match: "front*", thresholds: HealthThresholds(latencyObjectiveMicros: 150_000)),
        ServiceSettings(match: "*", thresholds: HealthThresholds(degradedErrorRate: 5)),
    ]

    func queries(storing thresholds: [ServiceSettings]) throws -> MeshtopQueries {
        let store = try MeshtopStore.inMemory()
        var batch = F.batch()
        batch.governanceExtras.healthThresholds = thresholds
        try store.write(batch)
        return MeshtopQueries(reader: store)
    }

    func health(_ rows: [ServiceRow]) -> [String: HealthState] {
        Dictionary(uniqueKeysWithValues: rows.map { ($0.service, $0.health) })
    }

    @Test func servicesAndTopologyUseTheStoredThresholds() throws {
        let q = try queries(storing: Self.collectorRules)
        let rows = try q.services(window: F.window)
        #expect(health(rows) == ["frontend": .degraded, "inventory": .idle, "orders": .healthy, "payments": .failing])
        let nodes = try q.topology(window: F.window).nodes
        #expect(nodes.first { $0.service == "frontend" }?.health == .degraded)
        #expect(nodes.first { $0.service == "orders" }?.health == .healthy)
    }

    @Test func theLatestStoredThresholdsReplaceEarlierOnes() throws {
        let store = try MeshtopStore.inMemory()
        var batch = F.batch()
        batch.governanceExtras.healthThresholds = Self.collectorRules
        try store.write(batch)
        var reload = WriteBatch()
        reload.governanceExtras.healthThresholds = [ServiceSettings(match: "*", thresholds: .default)]
        try store.write(reload)
        let rows = try MeshtopQueries(reader: store).services(window: F.window)
        #expect(health(rows) == ["frontend": .healthy, "inventory": .idle, "orders": .degraded, "payments": .failing])
    }

    /// A what-if rules file overrides the stored thresholds; a different Apdex T recounts Apdex from the merged
    /// histogram: frontend has 90 calls at 10 ms and 10 at 200 ms, so T = 40 ms gives 0.9 satisfied and none
    /// tolerating (200 > 4 × 40): 0.9, below min_apdex 0.95 → degraded.
    @Test func whatIfRulesOverrideAndRecountApdex() throws {
        let q = try queries(storing: Self.collectorRules)
        let whatIf = try RuleSet.parse(
            yaml: """
                services:
                  - match: frontend
                    apdex_t: 40ms
                    min_apdex: 0.95
                """)
        let rows = try q.services(window: F.window, whatIf: whatIf)
        let frontend = try #require(rows.first { $0.service == "frontend" })
        #expect(frontend.apdex == 0.9)
        #expect(frontend.health == .degraded)
        // Default thresholds for the rest, whatever the collector stored: orders' 2 % errors are degraded.
        #expect(rows.first { $0.service == "orders" }?.health == .degraded)
        // Apdex as recorded when T is the collector's.
        #expect(try q.services(window: F.window).first { $0.service == "frontend" }?.apdex == 1)
    }
}
