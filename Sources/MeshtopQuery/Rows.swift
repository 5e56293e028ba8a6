import MeshtopModel

/// `query services`: RED per service over a window. JSON keys: service, requests, errors, error_rate, rps,
/// p50_ms, p90_ms, p99_ms, max_ms, apdex, health.
public struct ServiceRow: Sendable, Hashable {
    public var service: String
    public var requests: Int64
    public var errors: Int64
    /// 0–1.
    public var errorRate: Double
    public var rps: Double
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    /// nil with no requests.
    public var apdex: Double?
    public var health: HealthState
    /// Requests per bucket across the window (oldest first), for sparklines.
    public var rateSeries: [Double]
    /// p99 (ms) per bucket across the window (oldest first), for sparklines.
    public var p99Series: [Double]
    /// Most requests in flight at once over the window; nil when no in-flight data was stored for it.
    public var inflightMax: Int64?
    /// Time-weighted p99 of the requests in flight over the window (levels merged across minutes).
    public var inflightP99: Int64?
    /// Time-weighted mean in flight (Little's law's L, ≈ rps × mean latency over the covered minutes).
    public var inflightMean: Double?

    public init(
        service: String, requests: Int64, errors: Int64, errorRate: Double, rps: Double, p50Ms: Double,
        p90Ms: Double, p99Ms: Double, maxMs: Double, apdex: Double?, health: HealthState,
        rateSeries: [Double] = [], p99Series: [Double] = [], inflightMax: Int64? = nil, inflightP99: Int64? = nil,
        inflightMean: Double? = nil
    ) {
        self.service = service
        self.requests = requests
        self.errors = errors
        self.errorRate = errorRate
        self.rps = rps
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.p99Ms = p99Ms
        self.maxMs = maxMs
        self.apdex = apdex
        self.health = health
        self.rateSeries = rateSeries
        self.p99Series = p99Series
        self.inflightMax = inflightMax
        self.inflightP99 = inflightP99
        self.inflightMean = inflightMean
    }
}

/// `query traces`: one search hit. JSON keys: trace_id, root_service, root_operation, start, duration_ms,
/// span_count, services, error.
public struct TraceSummary: Sendable, Hashable {
    public var traceID: TraceID
    public var rootService: String
    public var rootOperation: String
    public var startMicros: Int64
    public var durationMicros: Int64
    public var spanCount: Int
    public var services: [String]
    public var error: Bool

    public init(
        traceID: TraceID, rootService: String, rootOperation: String, startMicros: Int64, durationMicros: Int64,
        spanCount: Int, services: [String], error: Bool
    ) {
        self.traceID = traceID
        self.rootService = rootService
        self.rootOperation = rootOperation
        self.startMicros = startMicros
        self.durationMicros = durationMicros
        self.spanCount = spanCount
        self.services = services
        self.error = error
    }
}

/// `query trace ID`: all spans of one trace (start order) and the logs sharing its id.
public struct TraceDetail: Sendable, Hashable {
    public var traceID: TraceID
    public var spans: [Span]
    public var logs: [LogRecord]

    public init(traceID: TraceID, spans: [Span], logs: [LogRecord] = []) {
        self.traceID = traceID
        self.spans = spans
        self.logs = logs
    }
}

/// `query topology`.
public struct Topology: Sendable, Hashable {
    public var nodes: [TopologyNode]
    public var edges: [EdgeRow]

    public init(nodes: [TopologyNode], edges: [EdgeRow]) {
        self.nodes = nodes
        self.edges = edges
    }
}

public struct TopologyNode: Sendable, Hashable {
    public var service: String
    public var health: HealthState

    public init(service: String, health: HealthState) {
        self.service = service
        self.health = health
    }
}

/// JSON keys: caller, callee, calls, errors, error_rate, rps, p99_ms, breaker.
public struct EdgeRow: Sendable, Hashable {
    public var caller: String
    public var callee: String
    public var calls: Int64
    public var errors: Int64
    public var errorRate: Double
    public var rps: Double
    public var p50Ms: Double
    public var p99Ms: Double
    /// The simulated breaker's state, nil when unknown.
    public var breaker: BreakerState?

    public init(
        caller: String, callee: String, calls: Int64, errors: Int64, errorRate: Double, rps: Double, p50Ms: Double,
        p99Ms: Double, breaker: BreakerState?
    ) {
        self.caller = caller
        self.callee = callee
        self.calls = calls
        self.errors = errors
        self.errorRate = errorRate
        self.rps = rps
        self.p50Ms = p50Ms
        self.p99Ms = p99Ms
        self.breaker = breaker
    }
}

/// `query metrics`: one series aggregated over the window. Fields that do not apply to the type are nil.
/// JSON keys: name, type, tags, count, sum, rate, min, max, mean, p50, p90, p95, p99, last, unique.
public struct MetricRow: Sendable, Hashable {
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
    public var last: Double?
    public var unique: Int?
    /// One value per flush across the window (oldest first): count for counters, last for gauges, mean for
    /// timer-likes, unique for sets. For sparklines.
    public var series: [Double]
    /// Trace ids of OTLP exemplars in the window: the latest 4, oldest first (empty for StatsD).
    public var exemplarTraceIDs: [TraceID] = []

    public init(
        name: String, type: MetricType, tags: [String], service: String, count: Double? = nil, sum: Double? = nil,
        rate: Double? = nil, min: Double? = nil, max: Double? = nil, mean: Double? = nil, p50: Double? = nil,
        p90: Double? = nil, p95: Double? = nil, p99: Double? = nil, last: Double? = nil, unique: Int? = nil,
        series: [Double] = []
    ) {
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
        self.last = last
        self.unique = unique
        self.series = series
    }
}

/// Collector status for headers and `query stats`.
public struct CollectorStatus: Sendable, Hashable {
    public var receivedDatagrams: Int64
    public var lines: Int64
    public var parsedSpans: Int64
    public var parsedLogs: Int64
    public var parsedMetrics: Int64
    public var rejected: [String: Int64]
    public var dropped: Int64
    public var linesPerSecond: Double
    /// µs of the collector's last write, nil if it never wrote.
    public var lastWriteMicros: Int64?
    public var databaseBytes: Int64
    /// Items stored per HTTP/gRPC receiver (`otlp_http`, `otlp_grpc`, `zipkin`), and requests told to retry.
    public var receiverItems: [String: Int64]
    public var receiverRetries: Int64
    /// What the running writer says of itself ("disk full since …, retrying"), nil when all is well.
    public var writerStatus: String? = nil

    public init(
        receivedDatagrams: Int64 = 0, lines: Int64 = 0, parsedSpans: Int64 = 0, parsedLogs: Int64 = 0,
        parsedMetrics: Int64 = 0, rejected: [String: Int64] = [:], dropped: Int64 = 0, linesPerSecond: Double = 0,
        lastWriteMicros: Int64? = nil, databaseBytes: Int64 = 0, receiverItems: [String: Int64] = [:],
        receiverRetries: Int64 = 0
    ) {
        self.receiverItems = receiverItems
        self.receiverRetries = receiverRetries
        self.receivedDatagrams = receivedDatagrams
        self.lines = lines
        self.parsedSpans = parsedSpans
        self.parsedLogs = parsedLogs
        self.parsedMetrics = parsedMetrics
        self.rejected = rejected
        self.dropped = dropped
        self.linesPerSecond = linesPerSecond
        self.lastWriteMicros = lastWriteMicros
        self.databaseBytes = databaseBytes
    }

    public var rejectedTotal: Int64 { rejected.values.reduce(0, +) }
}

/// Errors of the query layer, each with a message that says what to do.
public enum QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    case ambiguous(prefix: String, matches: Int)
    case invalidArgument(String)
    case readOnly(String)

    public var description: String {
        switch self {
        case .ambiguous(let p, let n):
            return "trace id prefix '\(p)' matches \(n) traces; give more hex digits"
        case .invalidArgument(let m):
            return m
        case .readOnly(let m):
            return "the database is opened read-only: \(m)"
        }
    }
}
