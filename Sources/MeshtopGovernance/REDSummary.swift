import MeshtopModel

/// RED numbers over a window, computed by merging per-minute rollups (histograms merged, never percentiles
/// averaged). Used by the query layer and by alert evaluation.
public struct REDSummary: Sendable, Equatable {
    public var requests: Int64
    public var errors: Int64
    /// Percent (0–100); 0 with no requests.
    public var errorRate: Double
    /// Requests per second over the window.
    public var rps: Double
    public var p50Ms: Double
    public var p90Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    public var meanMs: Double
    /// nil with no requests (edges carry no Apdex counts: nil).
    public var apdex: Double?
    /// The merged latency histogram.
    public var histogram: LatencyHistogram

    public init(
        requests: Int64 = 0, errors: Int64 = 0, errorRate: Double = 0, rps: Double = 0, p50Ms: Double = 0,
        p90Ms: Double = 0, p99Ms: Double = 0, maxMs: Double = 0, meanMs: Double = 0, apdex: Double? = nil,
        histogram: LatencyHistogram = LatencyHistogram()
    ) {
        self.requests = requests
        self.errors = errors
        self.errorRate = errorRate
        self.rps = rps
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.p99Ms = p99Ms
        self.maxMs = maxMs
        self.meanMs = meanMs
        self.apdex = apdex
        self.histogram = histogram
    }

    /// Merges service rollups. `windowMicros` divides the request count into `rps`.
    public static func merge(rollups: [ServiceRollup], windowMicros: Int64) -> REDSummary {
        var sat: Int64 = 0
        var tol: Int64 = 0
        for r in rollups {
            sat += r.satisfied
            tol += r.tolerating
        }
        var s = merged(rollups, windowMicros) { ($0.requests, $0.errors, $0.sumMicros, $0.histogram) }
        s.apdex = Apdex.score(satisfied: sat, tolerating: tol, total: s.requests)
        return s
    }

    /// Merges edge rollups (`requests` = calls; no Apdex).
    public static func merge(edgeRollups: [EdgeRollup], windowMicros: Int64) -> REDSummary {
        merged(edgeRollups, windowMicros) { ($0.calls, $0.errors, $0.sumMicros, $0.histogram) }
    }

    /// Sums (count, errors, sum µs, histogram blob) over `items` and derives the rates and percentiles.
    static func merged<T>(
        _ items: [T], _ windowMicros: Int64, _ parts: (T) -> (Int64, Int64, Int64, [UInt8])
    ) -> REDSummary {
        var h = LatencyHistogram()
        var n: Int64 = 0
        var err: Int64 = 0
        var sum: Int64 = 0
        for item in items {
            let (c, e, s, blob) = parts(item)
            n += c
            err += e
            sum += s
            h.merge(encoded: blob)
        }
        return make(requests: n, errors: err, sumMicros: sum, histogram: h, windowMicros: windowMicros, apdex: nil)
    }

    static func make(
        requests: Int64, errors: Int64, sumMicros: Int64, histogram h: LatencyHistogram, windowMicros: Int64,
        apdex: Double?
    ) -> REDSummary {
        let ms = { (v: Int64) in Double(v) / 1000 }
        let p = h.percentiles([50, 90, 99])
        return REDSummary(
            requests: requests, errors: errors,
            errorRate: requests > 0 ? Double(errors) * 100 / Double(requests) : 0,
            rps: windowMicros > 0 ? Double(requests) * 1_000_000 / Double(windowMicros) : 0,
            p50Ms: ms(p[0]), p90Ms: ms(p[1]), p99Ms: ms(p[2]), maxMs: ms(h.max),
            meanMs: requests > 0 ? Double(sumMicros) / Double(requests) / 1000 : 0, apdex: apdex, histogram: h)
    }

    /// Health of a service with these numbers.
    public func health(inboundBreakerOpen: Bool, thresholds: HealthThresholds = .default) -> HealthState {
        Health.evaluate(
            requests: requests, errors: errors, p99Micros: requests > 0 ? Int64(p99Ms * 1000) : nil, apdex: apdex,
            inboundBreakerOpen: inboundBreakerOpen, thresholds: thresholds)
    }
}
