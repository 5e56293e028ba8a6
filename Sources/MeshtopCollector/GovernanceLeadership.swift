import MeshtopModel
import MeshtopStore

/// A store that several collectors write at once (PostgreSQL, docs/scaling.md), where one of them at a time — the
/// governance leader — stores breaker and alert transitions. Only the leader runs `--on-alert` hooks and notifies
/// Alertmanager; the other collectors' engines evaluate alike but stay silent, so one transition is announced
/// once. A store that does not conform (SQLite: one collector per file) always leads.
public protocol GovernanceLeadership: AnyObject, Sendable {
    /// Whether this collector leads governance now.
    var leadsGovernance: Bool { get }
    /// Which time this collector took the lead (1 the first time, 0 before), so the writer knows a new term from
    /// the one it seeded its engine for even when the lead was lost and taken again between two evaluations.
    var leadershipTerm: Int { get }
    /// False when `transition` only repeats the state the shared history already ends in (a new leader's engine
    /// firing an alert the old leader had already announced): its hook does not run again.
    func isNews(_ transition: AlertTransition) -> Bool
}

extension GovernanceLeadership {
    public func isNews(_ transition: AlertTransition) -> Bool { true }
    public var leadershipTerm: Int { leadsGovernance ? 1 : 0 }
}

extension IngestWriter {
    /// Whether alert transitions evaluated by this collector go out (hooks, Alertmanager) now.
    static func announcesAlerts(_ store: any StoreWriter) -> Bool {
        announcesAlerts(leadership: store as? any GovernanceLeadership)
    }

    /// `announcesAlerts` for the store's leadership, cast once (nil: a store of one collector, always leading).
    static func announcesAlerts(leadership: (any GovernanceLeadership)?) -> Bool {
        leadership?.leadsGovernance ?? true
    }

    /// Whether the `--on-alert` hook runs for `transition` (firing or resolved, and news for a shared store).
    static func runsHook(for transition: AlertTransition, _ store: any StoreWriter) -> Bool {
        runsHook(for: transition, leadership: store as? any GovernanceLeadership)
    }

    /// `runsHook` for the store's leadership, cast once.
    static func runsHook(for transition: AlertTransition, leadership: (any GovernanceLeadership)?) -> Bool {
        guard transition.to == .firing || transition.to == .resolved else { return false }
        return leadership?.isNews(transition) ?? true
    }

    /// The breakers and alerts the shared store holds (the state the previous leader left), through the store's
    /// reader (`query breakers` / `query alerts`); nil for a store that cannot be read back.
    static func sharedGovernanceState(_ store: any StoreWriter) throws -> (
        breakers: [BreakerStatus], alerts: [AlertStatus]
    )? {
        guard let reader = store as? any StoreReader else { return nil }
        // The alerts table holds the leader's last view (pending, firing and recently resolved) and nothing older.
        return (try reader.breakers(), try reader.alerts(state: nil, resolvedSince: 0))
    }
}
