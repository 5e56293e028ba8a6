import Foundation
import GRDB
import MeshtopModel

extension MeshtopStore {
    /// Upserts rollups, breaker and alert states (the newest version replaces the row) and appends transitions.
    static func upsertGovernance(_ batch: WriteBatch, _ db: Database) throws {
        if !batch.serviceRollups.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO service_rollups(minute_us, service, requests, errors, sum_us, max_us,
                    satisfied, tolerating, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in batch.serviceRollups {
                try stmt.execute(arguments: [
                    r.minuteMicros, r.service, r.requests, r.errors, r.sumMicros, r.maxMicros, r.satisfied,
                    r.tolerating, Data(r.histogram),
                ])
            }
        }
        if !batch.edgeRollups.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO edge_rollups(minute_us, caller, callee, calls, errors, sum_us, max_us,
                    histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in batch.edgeRollups {
                try stmt.execute(arguments: [
                    r.minuteMicros, r.caller, r.callee, r.calls, r.errors, r.sumMicros, r.maxMicros, Data(r.histogram),
                ])
            }
        }
        if !batch.breakerStatuses.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO breakers(caller, callee, source, state, failure_rate, slow_call_rate,
                    calls_in_window, would_reject, since_us, last_call_us, transitions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for b in batch.breakerStatuses {
                try stmt.execute(arguments: [
                    b.caller, b.callee, b.source.rawValue, b.state.rawValue, b.failureRate, b.slowCallRate,
                    b.callsInWindow, b.wouldReject, b.sinceMicros, b.lastCallMicros, b.transitions,
                ])
            }
        }
        if !batch.breakerTransitions.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO breaker_transitions(caller, callee, source, at_us, from_state, to_state, failure_rate,
                    slow_call_rate, calls, failed_calls, slow_calls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for t in batch.breakerTransitions {
                try stmt.execute(arguments: [
                    t.caller, t.callee, t.source.rawValue, t.atMicros, t.from.rawValue, t.to.rawValue,
                    t.failureRate, t.slowCallRate, t.calls, t.failedCalls, t.slowCalls,
                ])
            }
        }
        try upsertAlerts(batch, db)
    }

    private static func upsertAlerts(_ batch: WriteBatch, _ db: Database) throws {
        if batch.replacesAlertView {
            try db.execute(sql: "DELETE FROM alerts")
        }
        if !batch.alertStatuses.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO alerts(fingerprint, rule, severity, labels, state, value, since_us,
                    fired_at_us, resolved_at_us, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for a in batch.alertStatuses {
                try stmt.execute(arguments: [
                    a.fingerprint, a.rule, a.severity, JSONText.encode(a.labels), a.state.rawValue, a.value,
                    a.sinceMicros, a.firedAtMicros, a.resolvedAtMicros, a.summary,
                ])
            }
        }
        if !batch.alertTransitions.isEmpty {
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO alert_history(fingerprint, rule, severity, labels, from_state, to_state, at_us, value,
                    summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for t in batch.alertTransitions {
                let fingerprint = AlertStatus(
                    rule: t.rule, severity: t.severity, labels: t.labels, state: t.to, value: t.value,
                    sinceMicros: t.atMicros, summary: t.summary
                ).fingerprint
                try stmt.execute(arguments: [
                    fingerprint, t.rule, t.severity, JSONText.encode(t.labels), t.from.rawValue, t.to.rawValue,
                    t.atMicros, t.value, t.summary,
                ])
            }
        }
    }
}
