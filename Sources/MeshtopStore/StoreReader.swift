import MeshtopModel

/// The read side of a meshtop store: typed reads for the query use cases (docs/architecture.md). `MeshtopStore`
/// (SQLite) implements it; a second backend implements the same methods and the query layer works unchanged.
/// Every method reads one consistent snapshot and may throw `StoreError` (`.timedOut` for a bounded read).
public protocol StoreReader: Sendable {
    /// Where the data lives, for messages: the database path.
    var location: String { get }

    /// What the live writer says of itself ("disk full since …"), nil when it is well or not running.
    func writerStatus() -> String?

    /// The newest span start, log time or metric flush (µs); nil when there is none.
    func latestEventMicros() throws -> Int64?
    /// Cumulative collector counters (since the database was created).
    func counters() throws -> [String: Int64]
    /// The latest collector gauges with the wall-clock time each was written.
    func gauges() throws -> [String: StoredGauge]
    /// The most recent rejected lines, newest first.
    func recentRejects(limit: Int) throws -> [RejectRecord]
    /// Row count per table. Tables that cannot be counted are left out.
    func rowCounts() -> [String: Int64]
    /// Bytes the store uses on disk.
    func databaseBytes() -> Int64

    /// Service rollups of the minutes in `[fromMinute, until)`, the services seen from `knownSince` on, the
    /// callees with an open simulated breaker on an inbound edge, and the health thresholds the collector runs.
    func serviceWindow(fromMinute: Int64, until: Int64, knownSince: Int64) throws -> ServiceWindow
    /// Edge rollups of the minutes in `[fromMinute, until)` and the state of each edge's simulated breaker.
    func edgeWindow(fromMinute: Int64, until: Int64) throws -> EdgeWindow
    /// Every breaker, by caller, callee, source.
    func breakers() throws -> [BreakerStatus]
    /// Breaker transitions, newest first, optionally for one caller and/or callee.
    func breakerHistory(caller: String?, callee: String?, limit: Int) throws -> [BreakerTransition]
    /// Alerts in `state`; with nil, pending and firing ones plus those resolved at or after `resolvedSince`.
    /// Firing first, then pending, then the rest; by rule.
    func alerts(state: AlertState?, resolvedSince: Int64) throws -> [AlertStatus]
    /// Alert transitions, newest first.
    func alertHistory(limit: Int) throws -> [AlertTransition]
    /// Flow rule decisions per rule and resource summed over the minutes in `[fromMinute, until)`, by rule and
    /// resource; each stat's `minuteMicros` is `fromMinute`.
    func limitStats(fromMinute: Int64, until: Int64) throws -> [LimitStat]

    /// Metric flushes in the search's window matching its name glob and tags, oldest first.
    func metricFlushes(_ search: MetricSearch) throws -> [MetricRollup]
    /// The traces with a span matching `search` (newest matching span first, at most `search.limit`), each as
    /// its spans in start order, attributes left as JSON text.
    func traceSpans(_ search: TraceSearch) throws -> [[StoredSpan]]
    /// The trace with this id or unique hex prefix (1–32 digits): its spans and logs, attributes decoded.
    func trace(hexPrefix: String) throws -> TraceMatch
    /// Logs matching `search`, in the order documented on `MeshtopQueries.logs(_:)`, attributes decoded.
    func logs(_ search: LogSearch) throws -> [LogRow]
    /// Runs one read-only SQL statement (`query sql`); refuses statements that write with
    /// `SQLStatementError.writes`, and others it cannot run with `.invalid`.
    func sql(_ text: String, limit: Int?) throws -> SQLResult
}

/// What `StoreReader.serviceWindow` reads in one snapshot.
public struct ServiceWindow: Sendable, Hashable {
    public var rollups: [ServiceRollup]
    /// Services with a rollup in the lookback before the window or in it.
    public var known: [String]
    /// Callees with an open simulated breaker on an inbound edge.
    public var openInboundBreakers: Set<String>
    /// The collector's health thresholds in order, the default (`match: "*"`) last; empty when no collector of
    /// this version wrote the database.
    public var healthThresholds: [ServiceSettings]
    /// In-flight requests per service and minute of the window (`service_concurrency`); empty when no collector
    /// of this version wrote them.
    public var concurrency: [ServiceConcurrency]

    public init(
        rollups: [ServiceRollup], known: [String], openInboundBreakers: Set<String>,
        healthThresholds: [ServiceSettings] = [], concurrency: [ServiceConcurrency] = []
    ) {
        self.rollups = rollups
        self.known = known
        self.openInboundBreakers = openInboundBreakers
        self.healthThresholds = healthThresholds
        self.concurrency = concurrency
    }
}

/// What `StoreReader.edgeWindow` reads in one snapshot.
public struct EdgeWindow: Sendable, Hashable {
    public var rollups: [EdgeRollup]
    /// Simulated breaker states by edge.
    public var simulatedBreakers: [EdgeKey: BreakerState]

    public init(rollups: [EdgeRollup], simulatedBreakers: [EdgeKey: BreakerState]) {
        self.rollups = rollups
        self.simulatedBreakers = simulatedBreakers
    }
}

/// A caller → callee edge.
public struct EdgeKey: Sendable, Hashable {
    public var caller: String
    public var callee: String

    public init(_ caller: String, _ callee: String) {
        self.caller = caller
        self.callee = callee
    }
}

/// What `StoreReader.trace(hexPrefix:)` found.
public enum TraceMatch: Sendable, Hashable {
    case none
    /// A prefix matching this many traces (counted up to 1,001).
    case ambiguous(matches: Int)
    /// One trace: spans by start time, logs by time.
    case found(TraceID, spans: [Span], logs: [LogRecord])
}

/// Why `StoreReader.sql` refused or failed a statement.
public enum SQLStatementError: Error, Sendable, Hashable {
    /// The statement does not parse or fails; SQLite's message.
    case invalid(String)
    /// The statement would write.
    case writes(String)
}
