import MeshtopModel

/// The read-side use cases shared by the CLI and the console. `MeshtopQueries` (over a `StoreReader`) is the
/// implementation; the console's tests use an in-memory fake.
public protocol QueryReading: Sendable {
    /// The latest event time in the database (µs), used as "now" for relative windows when data is older.
    func latestEventMicros() throws -> Int64?
    func services(window: TimeWindow) throws -> [ServiceRow]
    func traces(_ search: TraceSearch) throws -> [TraceSummary]
    /// A full id, or a unique hex prefix. nil when no trace matches; throws `QueryError.ambiguous` for a prefix
    /// matching several.
    func trace(idOrPrefix: String) throws -> TraceDetail?
    func topology(window: TimeWindow) throws -> Topology
    func logs(_ search: LogSearch) throws -> [LogRow]
    func metrics(_ search: MetricSearch) throws -> [MetricRow]
    func breakers() throws -> [BreakerStatus]
    func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition]
    func alerts(state: AlertState?) throws -> [AlertStatus]
    func alertHistory(limit: Int) throws -> [AlertTransition]
    /// Flow rule decisions per rule and resource over `window` (`query limits`).
    func limits(window: TimeWindow) throws -> [LimitStat]
    func collectorStatus() throws -> CollectorStatus
}
