import MeshtopCollector
import MeshtopPostgres

/// The collector asks its store whether it leads governance before it runs `--on-alert` hooks or notifies
/// Alertmanager (docs/scaling.md): with PostgreSQL, only the collector holding the leader lock does, and not for
/// a transition the shared history already ends in (`isNews`, from MeshtopPostgres).
extension PostgresStore: GovernanceLeadership {
    public var leadsGovernance: Bool { isLeader }
    public var leadershipTerm: Int { leaderTerm }
}
