/// Health thresholds are model values: the governance engine applies them, the store keeps the ones the collector
/// runs (`health_thresholds`), and readers judge health with them instead of the defaults.

/// Per-service health thresholds (SPEC §4). The error-rate defaults are Kiali's for application (5xx) errors
/// (kiali.io/docs/configuration/health: "if the rate of application errors is >= 0.1% Kiali will show Degraded
/// health and if > 10% will show Failure"); the comparisons are SPEC §4's: degraded above 0.1 %, failing at or
/// above 10 %. Apdex T defaults to 500 ms, the latency objective to 1 s.
public struct HealthThresholds: Sendable, Hashable {
    /// Apdex T (µs): satisfied ≤ T, tolerating ≤ 4T.
    public var apdexTMicros: Int64
    /// p99 above this (µs) is degraded.
    public var latencyObjectiveMicros: Int64
    /// Error rate (percent) strictly above which the service is degraded.
    public var degradedErrorRate: Double
    /// Error rate (percent) at or above which the service is failing.
    public var failingErrorRate: Double
    /// Apdex score strictly below which the service is degraded.
    public var minApdex: Double

    public init(
        apdexTMicros: Int64 = 500_000, latencyObjectiveMicros: Int64 = 1_000_000, degradedErrorRate: Double = 0.1,
        failingErrorRate: Double = 10, minApdex: Double = 0.85
    ) {
        self.apdexTMicros = apdexTMicros
        self.latencyObjectiveMicros = latencyObjectiveMicros
        self.degradedErrorRate = degradedErrorRate
        self.failingErrorRate = failingErrorRate
        self.minApdex = minApdex
    }

    /// Kiali's defaults with T = 500 ms and a 1 s latency objective.
    public static let `default` = HealthThresholds()
}

/// Per-service health settings from the rules file's `services:` list (the collector's are stored in
/// `health_thresholds`, its defaults last with `match: "*"`).
public struct ServiceSettings: Sendable, Hashable {
    /// Glob on the service name.
    public var match: String
    public var thresholds: HealthThresholds

    public init(match: String, thresholds: HealthThresholds) {
        self.match = match
        self.thresholds = thresholds
    }
}
