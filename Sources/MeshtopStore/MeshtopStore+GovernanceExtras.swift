import Foundation
import GRDB
import MeshtopModel

/// Governance rows beyond rollups, breakers and alerts, written in the batch's transaction
/// (`WriteBatch.governanceExtras`).
public struct GovernanceExtras: Sendable, Hashable {
    /// Replaces `health_thresholds` when non-nil: the rules' `services:` entries in order, then the defaults as
    /// `match: "*"` (`RuleSet.effectiveThresholds`).
    public var healthThresholds: [ServiceSettings]?
    /// Upserted into `limit_stats` by (minute, rule, resource).
    public var limitStats: [LimitStat]

    public init(healthThresholds: [ServiceSettings]? = nil, limitStats: [LimitStat] = []) {
        self.healthThresholds = healthThresholds
        self.limitStats = limitStats
    }

    public var isEmpty: Bool { healthThresholds == nil && limitStats.isEmpty }
}

extension MeshtopStore {
    static func writeGovernanceExtras(_ extras: GovernanceExtras, _ db: Database) throws {
        if let thresholds = extras.healthThresholds {
            try db.execute(sql: "DELETE FROM health_thresholds")
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO health_thresholds(position, match, apdex_t_us, latency_objective_us,
                    error_rate_degraded, error_rate_failing, min_apdex, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let now = WallClock.nowMicros()
            for (i, s) in thresholds.enumerated() {
                let t = s.thresholds
                try stmt.execute(arguments: [
                    i, s.match, t.apdexTMicros, t.latencyObjectiveMicros, t.degradedErrorRate, t.failingErrorRate,
                    t.minApdex, now,
                ])
            }
        }
        if !extras.limitStats.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO limit_stats(minute_us, rule, service, caller, callee, passed, blocked, queued)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for l in extras.limitStats {
                try stmt.execute(arguments: [
                    l.minuteMicros, l.rule, l.service, l.caller, l.callee, l.passed, l.blocked, l.queued,
                ])
            }
        }
    }

    /// The stored health thresholds in order (the last is the collector's default, `match: "*"`); empty when no
    /// collector of this version wrote the database.
    public static func healthThresholds(_ db: Database) throws -> [ServiceSettings] {
        try Row.fetchAll(
            db, sql: """
                SELECT match, apdex_t_us, latency_objective_us, error_rate_degraded, error_rate_failing, min_apdex
                FROM health_thresholds ORDER BY position
                """
        ).map {
            ServiceSettings(
                match: $0[0],
                thresholds: HealthThresholds(
                    apdexTMicros: $0[1], latencyObjectiveMicros: $0[2], degradedErrorRate: $0[3],
                    failingErrorRate: $0[4], minApdex: $0[5]))
        }
    }
}
