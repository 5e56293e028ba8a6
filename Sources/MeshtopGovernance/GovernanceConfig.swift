import MeshtopModel

/// Engine tuning. Every duration is in microseconds.
public struct GovernanceConfig: Sendable, Hashable {
    /// Alert evaluation period on the alert clock (SPEC §4: 5 s).
    public var evaluationIntervalMicros: Int64
    /// Calls reach the breakers once their end time is this far behind the watermark, so that calls arriving a
    /// little out of order are still fed in end-time order.
    public var breakerLatenessMicros: Int64
    /// Spans ending more than this before the watermark no longer change rollups (their minute was written).
    public var rollupLatenessMicros: Int64
    /// StatsD flush interval (receive time; statsd's `flushInterval`, 10 s).
    public var metricFlushIntervalMicros: Int64
    /// A StatsD series without samples for this long is forgotten.
    public var metricIdleMicros: Int64
    /// Resolved alerts stay in the active view this long (Prometheus `resolvedRetention`, 15 m).
    public var resolvedRetentionMicros: Int64
    /// Spans remembered for parent lookups (oldest evicted beyond this).
    public var maxBufferedSpans: Int
    /// Spans waiting for their parent (oldest resolved as parentless beyond this).
    public var maxWaitingSpans: Int
    /// Spans are remembered this long behind the watermark.
    public var spanRetainMicros: Int64
    /// A child waits this long (past its end, on the watermark) for its parent before counting as parentless.
    public var parentWaitMicros: Int64
    /// With no new event time for this long on the wall clock, the alert clock follows the wall clock.
    public var quietAdvanceMicros: Int64
    /// Spans and logs further than this ahead of the last `tick(nowMicros:)` are ignored.
    public var maxFutureSkewMicros: Int64
    /// A simulated breaker without calls for this long (event time) is forgotten.
    public var breakerIdleMicros: Int64
    /// In-flight counts are swept up to this far behind the watermark (or the live clock), so requests up to
    /// this long are counted from their start although they arrive when they end.
    public var concurrencyLatenessMicros: Int64

    public init(
        evaluationIntervalMicros: Int64 = 5_000_000, breakerLatenessMicros: Int64 = 2_000_000,
        rollupLatenessMicros: Int64 = 300_000_000, metricFlushIntervalMicros: Int64 = 10_000_000,
        metricIdleMicros: Int64 = 300_000_000, resolvedRetentionMicros: Int64 = 900_000_000,
        maxBufferedSpans: Int = 250_000, maxWaitingSpans: Int = 100_000, spanRetainMicros: Int64 = 120_000_000,
        parentWaitMicros: Int64 = 30_000_000, quietAdvanceMicros: Int64 = 30_000_000,
        maxFutureSkewMicros: Int64 = 300_000_000, breakerIdleMicros: Int64 = 3_600_000_000,
        concurrencyLatenessMicros: Int64 = 10_000_000
    ) {
        self.evaluationIntervalMicros = max(1, evaluationIntervalMicros)
        self.breakerLatenessMicros = breakerLatenessMicros
        self.rollupLatenessMicros = rollupLatenessMicros
        self.metricFlushIntervalMicros = metricFlushIntervalMicros
        self.metricIdleMicros = metricIdleMicros
        self.resolvedRetentionMicros = resolvedRetentionMicros
        self.maxBufferedSpans = maxBufferedSpans
        self.maxWaitingSpans = maxWaitingSpans
        self.spanRetainMicros = spanRetainMicros
        self.parentWaitMicros = parentWaitMicros
        self.quietAdvanceMicros = quietAdvanceMicros
        self.maxFutureSkewMicros = maxFutureSkewMicros
        self.breakerIdleMicros = breakerIdleMicros
        self.concurrencyLatenessMicros = max(0, concurrencyLatenessMicros)
    }

    public static let `default` = GovernanceConfig()
}

/// What one `tick` produced, for the store to write.
public struct GovernanceOutput: Sendable, Hashable {
    /// Per-minute rollups that changed (upsert by minute and service/edge).
    public var serviceRollups: [ServiceRollup] = []
    public var edgeRollups: [EdgeRollup] = []
    /// Breakers whose status changed (upsert by caller, callee, source).
    public var breakers: [BreakerStatus] = []
    public var breakerTransitions: [BreakerTransition] = []
    /// StatsD flushes due (insert).
    public var metricRollups: [MetricRollup] = []
    /// The whole active alert view after an evaluation (replace); nil when no evaluation ran this tick.
    public var alerts: [AlertStatus]?
    public var alertTransitions: [AlertTransition] = []
    /// The event-time watermark after the tick (max span/log time seen).
    public var watermarkMicros: Int64 = 0
    /// The health thresholds in force (`RuleSet.effectiveThresholds`), on the first tick and after a reload
    /// (replace); nil otherwise. Readers judge health with these, not with defaults.
    public var healthThresholds: [ServiceSettings]?
    /// Flow rule decisions per rule, resource and minute that changed (upsert).
    public var limitStats: [LimitStat] = []
    /// In-flight requests per service and minute that changed (upsert by minute and service).
    public var serviceConcurrency: [ServiceConcurrency] = []
    /// Spans whose parent did not come within the parent wait, when the engine records them
    /// (`GovernanceEngine.recordsUnmatchedChildren`; insert).
    public var unmatchedChildren: [UnmatchedChild] = []

    public init() {}

    public var isEmpty: Bool {
        serviceRollups.isEmpty && edgeRollups.isEmpty && breakers.isEmpty && breakerTransitions.isEmpty
            && metricRollups.isEmpty && alerts == nil && alertTransitions.isEmpty && healthThresholds == nil
            && limitStats.isEmpty && serviceConcurrency.isEmpty && unmatchedChildren.isEmpty
    }
}

/// Counters about the engine's buffers, for `meshtop query stats` and the benchmark.
public struct GovernanceStats: Sendable, Hashable {
    public var spans: Int64 = 0
    public var logs: Int64 = 0
    public var metrics: Int64 = 0
    public var trace = TraceIndexStats(
        bufferedSpans: 0, waitingSpans: 0, evictedSpans: 0, evictedWaiting: 0, parentTimeouts: 0)
    /// Spans too old to change their minute's rollup.
    public var lateSpans: Int64 = 0
    /// Spans and logs ignored for being too far ahead of the wall clock.
    public var futureRecords: Int64 = 0
    /// Calls that reached a breaker after later calls had already been fed to it.
    public var lateCalls: Int64 = 0
    /// Requests that arrived after the in-flight sweep had passed their start (counted from the sweep on) or their
    /// end (not counted).
    public var lateInFlight: Int64 = 0
    /// Calls waiting for the watermark before reaching their breaker.
    public var pendingCalls: Int = 0
    public var breakers: Int = 0
    public var metricSeries: Int = 0
    public var alertInstances: Int = 0
    public var watermarkMicros: Int64 = 0
}
