import GRDB
import MeshtopModel

extension MeshtopStore {
    public func serviceWindow(fromMinute: Int64, until: Int64, knownSince: Int64) throws -> ServiceWindow {
        typealias C = ServiceRollupRecord.Columns
        return try read { db in
            let rollups = try ServiceRollupRecord.filter(C.minute >= fromMinute && C.minute < until).fetchAll(db)
            let known = try String.fetchAll(
                db, ServiceRollupRecord.select(C.service).distinct().filter(C.minute >= knownSince && C.minute < until))
            let concurrency =
                try db.tableExists(ServiceConcurrencyRecord.databaseTableName)
                ? ServiceConcurrencyRecord.filter(
                    ServiceConcurrencyRecord.Columns.minute >= fromMinute
                        && ServiceConcurrencyRecord.Columns.minute < until
                ).fetchAll(db) : []
            return ServiceWindow(
                rollups: rollups.map(\.rollup), known: known, openInboundBreakers: try Self.openInboundBreakers(db),
                healthThresholds: try Self.healthThresholds(db), concurrency: concurrency.map(\.concurrency))
        }
    }

    public func edgeWindow(fromMinute: Int64, until: Int64) throws -> EdgeWindow {
        typealias C = EdgeRollupRecord.Columns
        return try read { db in
            let rollups = try EdgeRollupRecord.filter(C.minute >= fromMinute && C.minute < until).fetchAll(db)
            var breakers: [EdgeKey: BreakerState] = [:]
            for record in try BreakerRecord.filter(BreakerRecord.Columns.source == BreakerSource.simulated.rawValue)
                .fetchAll(db)
            {
                breakers[EdgeKey(record.status.caller, record.status.callee)] = record.status.state
            }
            return EdgeWindow(rollups: rollups.map(\.rollup), simulatedBreakers: breakers)
        }
    }

    /// Callees with an open simulated breaker on an inbound edge.
    static func openInboundBreakers(_ db: Database) throws -> Set<String> {
        typealias C = BreakerRecord.Columns
        return Set(
            try String.fetchAll(
                db,
                BreakerRecord.select(C.callee).distinct().filter(
                    C.source == BreakerSource.simulated.rawValue && C.state == BreakerState.open.rawValue)))
    }

    public func breakers() throws -> [BreakerStatus] {
        typealias C = BreakerRecord.Columns
        return try read { db in
            try BreakerRecord.order(C.caller, C.callee, C.source).fetchAll(db).map(\.status)
        }
    }

    public func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition] {
        typealias C = BreakerTransitionRecord.Columns
        var request = BreakerTransitionRecord.all()
        if let caller { request = request.filter(C.caller == caller) }
        if let callee { request = request.filter(C.callee == callee) }
        request = request.order(C.at.desc, C.id.desc).limit(max(limit, 1))
        return try read { db in try request.fetchAll(db).map(\.transition) }
    }

    public func alerts(state: AlertState?, resolvedSince: Int64) throws -> [AlertStatus] {
        typealias C = AlertRecord.Columns
        let condition: SQLExpression
        if let state {
            condition = C.state == state.rawValue
        } else {
            condition =
                [AlertState.pending.rawValue, AlertState.firing.rawValue].contains(C.state)
                || (C.state == AlertState.resolved.rawValue && C.resolvedAt >= resolvedSince)
        }
        let request = AlertRecord.filter(condition).order(
            SQL("CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END"), C.rule, C.fingerprint)
        return try read { db in
            try request.fetchAll(db).map { record in
                var status = record.status
                status.labels = try JSONColumns.attributes(db, record.labelsJSON)
                return status
            }
        }
    }

    public func alertHistory(limit: Int) throws -> [AlertTransition] {
        typealias C = AlertHistoryRecord.Columns
        return try read { db in
            try AlertHistoryRecord.order(C.at.desc, C.id.desc).limit(max(limit, 1)).fetchAll(db).map { record in
                var transition = record.transition
                transition.labels = try JSONColumns.attributes(db, record.labelsJSON)
                return transition
            }
        }
    }
}
