import GRDB
import MeshtopModel

extension MeshtopStore {
    /// Upserts rollups, breaker and alert states (the newest version replaces the row) and appends transitions.
    static func upsertGovernance(_ batch: WriteBatch, _ db: Database) throws {
        for r in batch.serviceRollups { try ServiceRollupRecord(r).insert(db) }
        for r in batch.edgeRollups { try EdgeRollupRecord(r).insert(db) }
        for b in batch.breakerStatuses { try BreakerRecord(b).insert(db) }
        for t in batch.breakerTransitions { try BreakerTransitionRecord(t).insert(db) }
        if batch.replacesAlertView { try AlertRecord.deleteAll(db) }
        for a in batch.alertStatuses { try AlertRecord(a).insert(db) }
        for t in batch.alertTransitions { try AlertHistoryRecord(t).insert(db) }
    }
}
