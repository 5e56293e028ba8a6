/// Value types that the governance engine produces and the store persists and the query layer reads.
/// Histograms travel as opaque blobs encoded by MeshtopGovernance (`LatencyHistogram`), so the model stays pure.

/// RED for one service over one minute (event time). `minuteMicros` is the minute's start.
public struct ServiceRollup: Hashable, Sendable {
    public var minuteMicros: Int64
    public var service: String
    public var requests: Int64
    public var errors: Int64
    public var sumMicros: Int64
    public var maxMicros: Int64
    /// Apdex counts with the service's T.
    public var satisfied: Int64
    public var tolerating: Int64
    /// Mergeable latency histogram (µs), encoded by MeshtopGovernance.
    public var histogram: [UInt8]

    public init(
        minuteMicros: Int64, service: String, requests: Int64, errors: Int64, sumMicros: Int64, maxMicros: Int64,
        satisfied: Int64, tolerating: Int64, histogram: [UInt8]
    ) {
        self.minuteMicros = minuteMicros
        self.service = service
        self.requests = requests
        self.errors = errors
        self.sumMicros = sumMicros
        self.maxMicros = maxMicros
        self.satisfied = satisfied
        self.tolerating = tolerating
        self.histogram = histogram
    }
}

/// Calls on one caller → callee edge over one minute.
public struct EdgeRollup: Hashable, Sendable {
    public var minuteMicros: Int64
    public var caller: String
    public var callee: String
    public var calls: Int64
    public var errors: Int64
    public var sumMicros: Int64
    public var maxMicros: Int64
    public var histogram: [UInt8]

    public init(
        minuteMicros: Int64, caller: String, callee: String, calls: Int64, errors: Int64, sumMicros: Int64,
        maxMicros: Int64, histogram: [UInt8]
    ) {
        self.minuteMicros = minuteMicros
        self.caller = caller
        self.callee = callee
        self.calls = calls
        self.errors = errors
        self.sumMicros = sumMicros
        self.maxMicros = maxMicros
        self.histogram = histogram
    }
}

/// Resilience4j breaker states.
public enum BreakerState: String, Sendable, Hashable, CaseIterable {
    case closed = "closed"
    case open = "open"
    case halfOpen = "half_open"
    /// Reported by an application with a state we do not model (e.g. `FORCED_OPEN`, `DISABLED`).
    case other = "other"
}

/// Where a breaker state comes from.
public enum BreakerSource: String, Sendable, Hashable {
    case simulated, reported
}

/// One breaker transition with the numbers that caused it.
public struct BreakerTransition: Hashable, Sendable {
    public var caller: String
    public var callee: String
    public var source: BreakerSource
    public var atMicros: Int64
    public var from: BreakerState
    public var to: BreakerState
    /// Percentages (0–100), nil when undefined (too few calls).
    public var failureRate: Double?
    public var slowCallRate: Double?
    public var calls: Int
    public var failedCalls: Int
    public var slowCalls: Int

    public init(
        caller: String, callee: String, source: BreakerSource = .simulated, atMicros: Int64, from: BreakerState,
        to: BreakerState, failureRate: Double?, slowCallRate: Double?, calls: Int, failedCalls: Int, slowCalls: Int
    ) {
        self.caller = caller
        self.callee = callee
        self.source = source
        self.atMicros = atMicros
        self.from = from
        self.to = to
        self.failureRate = failureRate
        self.slowCallRate = slowCallRate
        self.calls = calls
        self.failedCalls = failedCalls
        self.slowCalls = slowCalls
    }
}

/// The current state of one breaker (simulated per edge, or reported by an application: then `callee` is the
/// breaker's name and `caller` the reporting service).
public struct BreakerStatus: Hashable, Sendable {
    public var caller: String
    public var callee: String
    public var source: BreakerSource
    public var state: BreakerState
    public var failureRate: Double?
    public var slowCallRate: Double?
    public var callsInWindow: Int
    public var wouldReject: Int64
    public var sinceMicros: Int64
    public var lastCallMicros: Int64
    public var transitions: Int

    public init(
        caller: String, callee: String, source: BreakerSource, state: BreakerState, failureRate: Double?,
        slowCallRate: Double?, callsInWindow: Int, wouldReject: Int64, sinceMicros: Int64, lastCallMicros: Int64,
        transitions: Int
    ) {
        self.caller = caller
        self.callee = callee
        self.source = source
        self.state = state
        self.failureRate = failureRate
        self.slowCallRate = slowCallRate
        self.callsInWindow = callsInWindow
        self.wouldReject = wouldReject
        self.sinceMicros = sinceMicros
        self.lastCallMicros = lastCallMicros
        self.transitions = transitions
    }
}

/// One StatsD flush of one series (etsy/statsd semantics). Fields that do not apply to the type are nil.
public struct MetricRollup: Hashable, Sendable {
    /// Start of the flush interval (µs). For `|T` points: the point's own time.
    public var timeMicros: Int64
    public var intervalMicros: Int64
    public var name: String
    public var type: MetricType
    public var tags: [String]
    public var service: String
    public var count: Double?
    public var sum: Double?
    public var rate: Double?
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    public var p50: Double?
    public var p90: Double?
    public var p95: Double?
    public var p99: Double?
    public var std: Double?
    public var last: Double?
    public var unique: Int?
    /// Trace ids of OTLP exemplars received in the interval (the latest few, oldest first).
    public var exemplarTraceIDs: [TraceID] = []

    public init(
        timeMicros: Int64, intervalMicros: Int64, name: String, type: MetricType, tags: [String], service: String,
        count: Double? = nil, sum: Double? = nil, rate: Double? = nil, min: Double? = nil, max: Double? = nil,
        mean: Double? = nil, p50: Double? = nil, p90: Double? = nil, p95: Double? = nil, p99: Double? = nil,
        std: Double? = nil, last: Double? = nil, unique: Int? = nil
    ) {
        self.timeMicros = timeMicros
        self.intervalMicros = intervalMicros
        self.name = name
        self.type = type
        self.tags = tags
        self.service = service
        self.count = count
        self.sum = sum
        self.rate = rate
        self.min = min
        self.max = max
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.std = std
        self.last = last
        self.unique = unique
    }
}

/// Prometheus alert states.
public enum AlertState: String, Sendable, Hashable, CaseIterable {
    case inactive, pending, firing, resolved
}

/// One alert instance (rule + label set).
public struct AlertStatus: Hashable, Sendable {
    public var rule: String
    public var severity: String
    /// Sorted `(key, value)` label pairs identifying the instance (e.g. `service=orders`).
    public var labels: [Attribute]
    public var state: AlertState
    public var value: Double
    /// activeAt: when it became pending.
    public var sinceMicros: Int64
    public var firedAtMicros: Int64?
    public var resolvedAtMicros: Int64?
    public var summary: String

    public init(
        rule: String, severity: String, labels: [Attribute], state: AlertState, value: Double, sinceMicros: Int64,
        firedAtMicros: Int64? = nil, resolvedAtMicros: Int64? = nil, summary: String
    ) {
        self.rule = rule
        self.severity = severity
        self.labels = labels
        self.state = state
        self.value = value
        self.sinceMicros = sinceMicros
        self.firedAtMicros = firedAtMicros
        self.resolvedAtMicros = resolvedAtMicros
        self.summary = summary
    }

    /// `rule{k="v",…}`: the identity of the instance.
    public var fingerprint: String {
        rule + "{" + labels.map { "\($0.key)=\"\($0.value.text)\"" }.joined(separator: ",") + "}"
    }
}

/// One alert lifecycle transition, kept forever in history.
public struct AlertTransition: Hashable, Sendable {
    public var rule: String
    public var severity: String
    public var labels: [Attribute]
    public var from: AlertState
    public var to: AlertState
    public var atMicros: Int64
    public var value: Double
    public var summary: String

    public init(
        rule: String, severity: String, labels: [Attribute], from: AlertState, to: AlertState, atMicros: Int64,
        value: Double, summary: String
    ) {
        self.rule = rule
        self.severity = severity
        self.labels = labels
        self.from = from
        self.to = to
        self.atMicros = atMicros
        self.value = value
        self.summary = summary
    }
}

/// Service health states (Kiali-like thresholds, SPEC §4).
public enum HealthState: String, Sendable, Hashable, CaseIterable {
    case healthy, degraded, failing, idle
}
