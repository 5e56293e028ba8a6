import MeshtopModel
import MeshtopStore

/// A store that several collectors write at once (PostgreSQL, docs/scaling.md), where one of them at a time — the
/// governance leader — stores breaker and alert transitions. Only the leader runs `--on-alert` hooks and notifies
/// Alertmanager; the other collectors' engines evaluate alike but stay silent, so one transition is announced
/// once. A store that does not conform (SQLite: one collector per file) always leads.
public protocol GovernanceLeadership: AnyObject, Sendable {
    /// Whether this collector leads governance now.
    var leadsGovernance: Bool { get }
    /// False when `transition` only repeats the state the shared history already ends in (a new leader's engine
    /// firing an alert the old leader had already announced): its hook does not run again.
    func isNews(_ transition: AlertTransition) -> Bool
}

extension GovernanceLeadership {
    public func isNews(_ transition: AlertTransition) -> Bool { true }
}

extension IngestWriter {
    /// Whether alert transitions evaluated by this collector go out (hooks, Alertmanager) now.
    static func announcesAlerts(_ store: any StoreWriter) -> Bool {
        (store as? any GovernanceLeadership)?.leadsGovernance ?? true
    }

    /// Whether the `--on-alert` hook runs for `transition` (firing or resolved, and news for a shared store).
    static func runsHook(for transition: AlertTransition, _ store: any StoreWriter) -> Bool {
        guard transition.to == .firing || transition.to == .resolved else { return false }
        return (store as? any GovernanceLeadership)?.isNews(transition) ?? true
    }
}
