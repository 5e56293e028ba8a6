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
    /// Upserted into `service_concurrency` by (service, minute).
    public var concurrency: [ServiceConcurrency]
    /// Spans whose parent this collector did not see, for a store shared by several collectors to join with
    /// parents stored by the others (docs/scaling.md, "Edges across collectors"); a SQLite file, written by one
    /// collector, keeps none.
    public var unmatchedChildren: [UnmatchedChild] = []

    public init(
        healthThresholds: [ServiceSettings]? = nil, limitStats: [LimitStat] = [], concurrency: [ServiceConcurrency] = []
    ) {
        self.healthThresholds = healthThresholds
        self.limitStats = limitStats
        self.concurrency = concurrency
    }

    public var isEmpty: Bool {
        healthThresholds == nil && limitStats.isEmpty && concurrency.isEmpty && unmatchedChildren.isEmpty
    }
}

extension MeshtopStore {
    static func writeGovernanceExtras(_ extras: GovernanceExtras, _ db: Database) throws {
        if let thresholds = extras.healthThresholds {
            try HealthThresholdRecord.deleteAll(db)
            let now = SystemClock.wallMicros()
            for (i, settings) in thresholds.enumerated() {
                try HealthThresholdRecord(position: i, settings: settings, updatedMicros: now).insert(db)
            }
        }
        for stat in extras.limitStats { try LimitStatRecord(stat).insert(db) }
        for c in extras.concurrency { try ServiceConcurrencyRecord(c).insert(db) }
    }

    /// The stored health thresholds in order (the last is the collector's default, `match: "*"`); empty when no
    /// collector of this version wrote the database.
    static func healthThresholds(_ db: Database) throws -> [ServiceSettings] {
        guard try db.tableExists(HealthThresholdRecord.databaseTableName) else { return [] }
        return try HealthThresholdRecord.order(HealthThresholdRecord.Columns.position).fetchAll(db).map(\.settings)
    }

    public func limitStats(fromMinute: Int64, until: Int64) throws -> [LimitStat] {
        typealias C = LimitStatRecord.Columns
        let request =
            LimitStatRecord
            .select(C.rule, C.service, C.caller, C.callee, sum(C.passed), sum(C.blocked), sum(C.queued))
            .filter(C.minute >= fromMinute && C.minute < until)
            .group(C.rule, C.service, C.caller, C.callee)
            .order(C.rule, C.service, C.caller, C.callee)
            .asRequest(of: Row.self)
        return try read { db in
            guard try db.tableExists(LimitStatRecord.databaseTableName) else { return [] }
            return try request.fetchAll(db).map {
                LimitStat(
                    minuteMicros: fromMinute, rule: $0[0], service: $0[1], caller: $0[2], callee: $0[3],
                    passed: $0[4], blocked: $0[5], queued: $0[6])
            }
        }
    }
}
