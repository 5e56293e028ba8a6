import GRDB
import MeshtopModel

extension MeshtopQueries {
    /// Resolved alerts stay in the active view this long (SPEC §8).
    public static let resolvedListedMicros: Int64 = 15 * 60_000_000

    /// Every breaker, simulated and reported, by edge.
    public func breakers() throws -> [BreakerStatus] {
        try store.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT caller, callee, source, state, failure_rate, slow_call_rate, calls_in_window,
                        would_reject, since_us, last_call_us, transitions
                    FROM breakers ORDER BY caller, callee, source
                    """
            ).map {
                BreakerStatus(
                    caller: $0[0], callee: $0[1], source: BreakerSource(rawValue: $0[2]) ?? .simulated,
                    state: BreakerState(rawValue: $0[3]) ?? .other, failureRate: $0[4], slowCallRate: $0[5],
                    callsInWindow: $0[6], wouldReject: $0[7], sinceMicros: $0[8], lastCallMicros: $0[9],
                    transitions: $0[10])
            }
        }
    }

    /// Breaker transitions, newest first, optionally for one caller and/or callee.
    public func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition] {
        var filter = SQLFilter()
        filter.add("caller = ?", ifPresent: caller)
        filter.add("callee = ?", ifPresent: callee)
        return try store.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT caller, callee, source, at_us, from_state, to_state, failure_rate, slow_call_rate,
                        calls, failed_calls, slow_calls FROM breaker_transitions\(filter.clause)
                    ORDER BY at_us DESC, id DESC LIMIT \(max(limit, 1))
                    """, arguments: filter.arguments
            ).map {
                BreakerTransition(
                    caller: $0[0], callee: $0[1], source: BreakerSource(rawValue: $0[2]) ?? .simulated,
                    atMicros: $0[3], from: BreakerState(rawValue: $0[4]) ?? .other,
                    to: BreakerState(rawValue: $0[5]) ?? .other, failureRate: $0[6], slowCallRate: $0[7],
                    calls: $0[8], failedCalls: $0[9], slowCalls: $0[10])
            }
        }
    }

    /// Alerts in the active view: pending and firing, plus those resolved within 15 minutes of the newest event
    /// (alert times are event times, SPEC §4). With `state`, every stored alert in that state.
    public func alerts(state: AlertState?) throws -> [AlertStatus] {
        let now = try latestEventMicros() ?? 0
        return try alerts(state: state, nowMicros: now)
    }

    /// `alerts(state:)` with an explicit "now" for the 15-minute rule.
    public func alerts(state: AlertState?, nowMicros: Int64) throws -> [AlertStatus] {
        var filter = SQLFilter()
        if let state {
            filter.add("state = ?", state.rawValue)
        } else {
            filter.add(
                "(state IN ('pending', 'firing') OR (state = 'resolved' AND resolved_at_us >= ?))",
                nowMicros - Self.resolvedListedMicros)
        }
        return try store.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT rule, severity, labels, state, value, since_us, fired_at_us, resolved_at_us, summary
                    FROM alerts\(filter.clause)
                    ORDER BY CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, rule, fingerprint
                    """, arguments: filter.arguments
            ).map {
                AlertStatus(
                    rule: $0[0], severity: $0[1], labels: try JSONColumns.attributes(db, $0[2]),
                    state: AlertState(rawValue: $0[3]) ?? .inactive, value: $0[4], sinceMicros: $0[5],
                    firedAtMicros: $0[6], resolvedAtMicros: $0[7], summary: $0[8])
            }
        }
    }

    /// Alert transitions, newest first (history is kept forever).
    public func alertHistory(limit: Int) throws -> [AlertTransition] {
        try store.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT rule, severity, labels, from_state, to_state, at_us, value, summary FROM alert_history
                    ORDER BY at_us DESC, id DESC LIMIT ?
                    """, arguments: [max(limit, 1)]
            ).map {
                AlertTransition(
                    rule: $0[0], severity: $0[1], labels: try JSONColumns.attributes(db, $0[2]),
                    from: AlertState(rawValue: $0[3]) ?? .inactive, to: AlertState(rawValue: $0[4]) ?? .inactive,
                    atMicros: $0[5], value: $0[6], summary: $0[7])
            }
        }
    }
}
