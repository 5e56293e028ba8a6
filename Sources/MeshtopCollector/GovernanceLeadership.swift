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
    /// The breakers and alert view the shared store holds (the state the previous leader left), which a new
    /// leader seeds its engine with; nil when there is nothing to read back.
    func sharedGovernanceState() throws -> SharedGovernanceState?
}

/// What a new governance leader takes over (`GovernanceEngine.seed`).
public struct SharedGovernanceState: Sendable {
    public var breakers: [BreakerStatus]
    /// Pending, firing and recently resolved alerts: the last view the leader stored.
    public var alerts: [AlertStatus]

    public init(breakers: [BreakerStatus], alerts: [AlertStatus]) {
        self.breakers = breakers
        self.alerts = alerts
    }
}

extension GovernanceLeadership {
    public func isNews(_ transition: AlertTransition) -> Bool { true }
    public var leadershipTerm: Int { leadsGovernance ? 1 : 0 }

    /// Through the store's reader (`query breakers` / `query alerts`), when it is one.
    public func sharedGovernanceState() throws -> SharedGovernanceState? {
        guard let reader = self as? any StoreReader else { return nil }
        // The alerts table holds the leader's last view (pending, firing and recently resolved) and nothing older.
        return SharedGovernanceState(
            breakers: try reader.breakers(), alerts: try reader.alerts(state: nil, resolvedSince: 0))
    }
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
}

/// A store shared by several collectors, where a call's parent and child spans may reach different collectors
/// (docs/scaling.md, "Edges across collectors"). Each collector stores the spans whose parent it did not see
/// (`GovernanceOutput.unmatchedChildren`); the governance leader joins them with the parents the others stored.
public protocol CrossCollectorEdges: AnyObject, Sendable {
    /// Starts a join, off the caller's thread (the writer's: its batches never wait for a join), of the
    /// unmatched spans that ended before `throughMicros` (and up to `lookbackMicros` before the last join's end,
    /// again) with their parents, which replaces the joined edges of that window with `rollups(calls)`; only a
    /// collector that leads when the join runs writes anything. Returns at once, and starts nothing while the
    /// previous join still runs (never two at once). Reports the previous join, once, when it has finished since
    /// the last call: returns the number of calls it joined, or nil when it is still running, joined nothing
    /// because this collector did not lead or the window was empty, or was reported already; throws what it
    /// failed with (a new join is started all the same).
    func joinEdges(
        throughMicros: Int64, lookbackMicros: Int64, rollups: @escaping @Sendable ([JoinedCall]) -> [EdgeRollup]
    ) throws -> Int?
    /// Whether other collectors write to the store now: unmatched children are recorded only then.
    func othersWrite() throws -> Bool
}
