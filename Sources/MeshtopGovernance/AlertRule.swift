import MeshtopModel

/// What an alert rule measures.
public enum AlertSignal: Hashable, Sendable {
    /// Percent of requests (service scope) or calls (edge scope) that failed.
    case errorRate
    /// p99 latency in milliseconds.
    case p99Ms
    /// Requests (or calls) per second.
    case rps
    /// Apdex score 0–1 (services only).
    case apdex
    /// 1 when the edge's breaker (simulated or reported) is open, else 0.
    case breakerOpen
    /// Percent of a flow rule's decided calls that it would have blocked (per rule and resource).
    case blockedRate
    /// A StatsD series aggregated over the window. `name` may be a glob.
    case metric(name: String, aggregation: MetricAggregation)
    /// Log records per second at or above a severity (syslog order: `error` means error, crit, alert, emerg).
    case logRate(minSeverity: Severity)
}

/// How the flushes of a StatsD series in the window are combined.
public enum MetricAggregation: String, Sendable, Hashable, CaseIterable {
    /// Σ counts.
    case count
    /// Σ sums (timers) or Σ counts (counters).
    case sum
    /// Σ counts / window seconds.
    case rate
    /// The latest gauge value (or the latest flush's mean for timers).
    case last
    /// Count-weighted mean of the flushes' means (timers) or the mean of the gauge values.
    case mean
    /// Largest max (timers) or gauge value.
    case max
    /// Smallest min (timers) or gauge value.
    case min
    /// The largest flush value of that percentile in the window (statsd percentiles cannot be merged exactly).
    case p50, p90, p95, p99
    /// Largest set cardinality of one flush.
    case unique
}

/// Comparison operators.
public enum CompareOp: String, Sendable, Hashable, CaseIterable {
    case gt = ">"
    case ge = ">="
    case lt = "<"
    case le = "<="
    case eq = "=="
    case ne = "!="

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .gt: return value > threshold
        case .ge: return value >= threshold
        case .lt: return value < threshold
        case .le: return value <= threshold
        case .eq: return value == threshold
        case .ne: return value != threshold
        }
    }
}

/// Which series a rule looks at. Every field is a glob (`*`, `?`); nil matches everything.
public struct AlertScope: Sendable, Hashable {
    public var service: String?
    /// With `caller`/`callee` set, service signals are evaluated per edge.
    public var caller: String?
    public var callee: String?
    /// Metric tag matches: key → glob on the value (`env: prod*`).
    public var tags: [String: String]

    public init(service: String? = nil, caller: String? = nil, callee: String? = nil, tags: [String: String] = [:]) {
        self.service = service
        self.caller = caller
        self.callee = callee
        self.tags = tags
    }

    /// Whether the rule is about edges.
    public var isEdge: Bool { caller != nil || callee != nil }
}

/// One alert rule from the rules file.
public struct AlertRule: Sendable, Hashable {
    public var name: String
    public var signal: AlertSignal
    public var scope: AlertScope
    public var op: CompareOp
    public var threshold: Double
    /// Time the condition must hold before firing (µs); 0 fires at once.
    public var forMicros: Int64
    /// Time a firing alert stays firing after the condition stops holding (µs).
    public var keepFiringForMicros: Int64
    /// The window the signal is computed over (µs).
    public var windowMicros: Int64
    public var severity: String
    /// Template: `{{service}}`, `{{caller}}`, `{{callee}}`, `{{value}}`, `{{threshold}}`, `{{rule}}`,
    /// `{{labels.KEY}}`.
    public var summary: String
    /// Line of the rule in the rules file (0 when built in code).
    public var line: Int

    public init(
        name: String, signal: AlertSignal, scope: AlertScope = AlertScope(), op: CompareOp, threshold: Double,
        forMicros: Int64 = 0, keepFiringForMicros: Int64 = 0, windowMicros: Int64 = 60_000_000,
        severity: String = "warning", summary: String = "", line: Int = 0
    ) {
        self.name = name
        self.signal = signal
        self.scope = scope
        self.op = op
        self.threshold = threshold
        self.forMicros = forMicros
        self.keepFiringForMicros = keepFiringForMicros
        self.windowMicros = windowMicros
        self.severity = severity
        self.summary = summary
        self.line = line
    }
}

/// Shell-style globs: `*` any run, `?` one character; everything else literal.
public enum Glob {
    public static func matches(_ pattern: String?, _ text: String) -> Bool {
        guard let p = pattern else { return true }
        if p == "*" { return true }
        if !p.utf8.contains(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }) { return p == text }
        return match(Array(p.utf8)[...], Array(text.utf8)[...])
    }

    private static func match(_ p: ArraySlice<UInt8>, _ t: ArraySlice<UInt8>) -> Bool {
        var pi = p.startIndex
        var ti = t.startIndex
        var star = -1
        var mark = 0
        while ti < t.endIndex {
            if pi < p.endIndex, p[pi] == UInt8(ascii: "?") || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.endIndex, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.endIndex, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.endIndex
    }
}
