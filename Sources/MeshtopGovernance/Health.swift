import MeshtopModel

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

/// Apdex counting (apdex.org): satisfied ≤ T, tolerating ≤ 4T, score = (satisfied + tolerating / 2) / total.
public enum Apdex {
    /// 0 = frustrated, 1 = tolerating, 2 = satisfied.
    @inline(__always)
    public static func zone(durationMicros: Int64, tMicros: Int64) -> Int {
        if durationMicros <= tMicros { return 2 }
        if durationMicros <= 4 * tMicros { return 1 }
        return 0
    }

    /// The score, or nil with no requests.
    public static func score(satisfied: Int64, tolerating: Int64, total: Int64) -> Double? {
        guard total > 0 else { return nil }
        return (Double(satisfied) + Double(tolerating) / 2) / Double(total)
    }
}

/// Service health (SPEC §4).
public enum Health {
    /// - Parameters:
    ///   - p99Micros: the window's p99 latency; nil when unknown.
    ///   - apdex: the window's Apdex score; nil when unknown.
    ///   - inboundBreakerOpen: a breaker on an edge into this service is open.
    public static func evaluate(
        requests: Int64, errors: Int64, p99Micros: Int64?, apdex: Double?, inboundBreakerOpen: Bool,
        thresholds: HealthThresholds = .default
    ) -> HealthState {
        if inboundBreakerOpen { return .failing }
        guard requests > 0 else { return .idle }
        let rate = Double(errors) * 100 / Double(requests)
        if rate >= thresholds.failingErrorRate { return .failing }
        if rate > thresholds.degradedErrorRate { return .degraded }
        if let p99 = p99Micros, p99 > thresholds.latencyObjectiveMicros { return .degraded }
        if let a = apdex, a < thresholds.minApdex { return .degraded }
        return .healthy
    }
}
