import MeshtopModel

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
