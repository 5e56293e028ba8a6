import MeshtopCollector
import MeshtopModel
import MeshtopPostgres

/// The collector asks its store whether it leads governance before it runs `--on-alert` hooks or notifies
/// Alertmanager (docs/scaling.md): with PostgreSQL, only the collector holding the leader lock does, and not for
/// a transition the shared history already ends in (`isNews`, from MeshtopPostgres).
extension PostgresStore: GovernanceLeadership {
    public var leadsGovernance: Bool { isLeader }
    public var leadershipTerm: Int { leaderTerm }

    /// Read on a session of its own (a read-only store, fresh connection): a pooled connection that the server
    /// closed meanwhile (a server restart, often why the lead changed hands) could hold the writer thread for the
    /// whole answer bound (60 s) before failing.
    public func sharedGovernanceState() throws -> SharedGovernanceState? {
        let reader = try PostgresStore.openReadOnly(url: url)
        defer { reader.close() }
        return SharedGovernanceState(
            breakers: try reader.breakers(), alerts: try reader.alerts(state: nil, resolvedSince: 0))
    }
}

/// The governance leader joins the calls whose two spans reached different collectors (docs/scaling.md), on the
/// store's own join connection and thread (`startCrossCollectorJoin`), never on the writer thread.
extension PostgresStore: CrossCollectorEdges {
    /// At most an hour is joined at once (the `unmatched_spans` rows kept). Starts the join and returns at once,
    /// with the calls the previous join counted (nil while it runs, when it joined nothing, or was reported) or
    /// its error.
    public func joinEdges(
        throughMicros: Int64, lookbackMicros: Int64, rollups: @escaping @Sendable ([JoinedCall]) -> [EdgeRollup]
    ) throws -> Int? {
        let start = try startCrossCollectorJoin(
            throughMicros: throughMicros, lookbackMicros: lookbackMicros, maxWindowMicros: 3_600_000_000,
            rollups: rollups)
        return try start.previous?.get()?.calls
    }
}
