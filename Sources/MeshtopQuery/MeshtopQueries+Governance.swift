import MeshtopModel

extension MeshtopQueries {
    /// Resolved alerts stay in the active view this long (SPEC §8).
    public static let resolvedListedMicros: Int64 = 15 * 60_000_000

    /// Every breaker, simulated and reported, by edge.
    public func breakers() throws -> [BreakerStatus] {
        try reader.breakers()
    }

    /// Breaker transitions, newest first, optionally for one caller and/or callee.
    public func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition] {
        try reader.breakerHistory(caller: caller, callee: callee, limit: limit)
    }

    /// Alerts in the active view: pending and firing, plus those resolved within 15 minutes of the newest event
    /// (alert times are event times, SPEC §4). With `state`, every stored alert in that state.
    public func alerts(state: AlertState?) throws -> [AlertStatus] {
        let now = try latestEventMicros() ?? 0
        return try alerts(state: state, nowMicros: now)
    }

    /// `alerts(state:)` with an explicit "now" for the 15-minute rule.
    public func alerts(state: AlertState?, nowMicros: Int64) throws -> [AlertStatus] {
        try reader.alerts(state: state, resolvedSince: nowMicros - Self.resolvedListedMicros)
    }

    /// Alert transitions, newest first (history is kept forever).
    public func alertHistory(limit: Int) throws -> [AlertTransition] {
        try reader.alertHistory(limit: limit)
    }
}
