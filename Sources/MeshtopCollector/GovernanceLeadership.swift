import MeshtopStore

/// A store that several collectors write at once (PostgreSQL, docs/scaling.md), where one of them at a time — the
/// governance leader — stores breaker and alert transitions. Only the leader runs `--on-alert` hooks and notifies
/// Alertmanager; the other collectors' engines evaluate alike but stay silent, so one transition is announced
/// once. A store that does not conform (SQLite: one collector per file) always leads.
public protocol GovernanceLeadership: AnyObject, Sendable {
    /// Whether this collector leads governance now.
    var leadsGovernance: Bool { get }
}

extension IngestWriter {
    /// Whether alert transitions evaluated by this collector go out (hooks, Alertmanager) now.
    static func announcesAlerts(_ store: any StoreWriter) -> Bool {
        (store as? any GovernanceLeadership)?.leadsGovernance ?? true
    }
}
