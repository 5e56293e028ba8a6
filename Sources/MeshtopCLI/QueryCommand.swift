import ArgumentParser

/// `meshtop query …`: scripted, read-only queries over the database (docs/query.md).
public struct QueryCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Read-only queries: services, traces, one trace, topology, logs, metrics, breakers, alerts, stats.",
        discussion: """
            Output: --format table|json|jsonl|csv (table on a terminal, json otherwise). Exit codes: 0 ok, \
            1 a --fail-on condition held (or no trace matched), 2 usage error, 3 database missing or unreadable.
            """,
        subcommands: [
            QueryServicesCommand.self, QueryTracesCommand.self, QueryTraceCommand.self, QueryTopologyCommand.self,
            QueryLogsCommand.self, QueryMetricsCommand.self, QueryBreakersCommand.self, QueryLimitsCommand.self,
            QueryAlertsCommand.self,
            QueryStatsCommand.self, QuerySQLCommand.self,
        ])

    public init() {}
}
