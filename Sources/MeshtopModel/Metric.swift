/// StatsD / DogStatsD metric types.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter, gauge, timer, histogram, distribution, set

    /// The wire letter: `c g ms h d s`.
    public var wire: String {
        switch self {
        case .counter: return "c"
        case .gauge: return "g"
        case .timer: return "ms"
        case .histogram: return "h"
        case .distribution: return "d"
        case .set: return "s"
        }
    }

    public init?(wire: some StringProtocol) {
        switch wire {
        case "c": self = .counter
        case "g": self = .gauge
        case "ms": self = .timer
        case "h": self = .histogram
        case "d": self = .distribution
        case "s": self = .set
        default: return nil
        }
    }

    /// Timers, histograms and distributions aggregate the same way.
    public var isTimerLike: Bool { self == .timer || self == .histogram || self == .distribution }
}

/// One StatsD sample, as received (not yet aggregated).
public struct MetricSample: Hashable, Sendable {
    public var name: String
    public var type: MetricType
    /// The numeric value (counters, gauges, timer-likes). For sets: 0.
    public var value: Double
    /// For sets: the member as sent.
    public var setMember: String?
    /// A gauge value sent with an explicit `+` or `-` sign (a delta when the gauge exists).
    public var isDelta: Bool
    /// `@rate`, 1 when absent.
    public var sampleRate: Double
    /// DogStatsD tags as sent (`k:v` or bare `k`), sorted, so that they identify the series.
    public var tags: [String]
    /// `|T<unix>` explicit timestamp in µs (stored at its own time, not aggregated); nil otherwise.
    public var timestampMicros: Int64?
    /// Tag `service:`, else the first dotted segment of the name.
    public var service: String
    /// For a `.distribution` that arrived pre-aggregated (OTLP histograms and summaries): the whole point, which
    /// the aggregator merges instead of `value` (then the point's mean, for display only).
    public var distribution: MetricDistribution?
    /// Trace ids of the point's OTLP exemplars (sampled measurements recorded inside a trace), so a metric can
    /// lead to a trace; empty for StatsD.
    public var exemplarTraceIDs: [TraceID] = []

    public init(
        name: String, type: MetricType, value: Double, setMember: String? = nil, isDelta: Bool = false,
        sampleRate: Double = 1, tags: [String] = [], timestampMicros: Int64? = nil, service: String? = nil,
        distribution: MetricDistribution? = nil
    ) {
        self.name = name
        self.type = type
        self.value = value
        self.setMember = setMember
        self.isDelta = isDelta
        self.sampleRate = sampleRate
        self.tags = tags
        self.timestampMicros = timestampMicros
        self.service = service ?? MetricSample.defaultService(name: name, tags: tags)
        self.distribution = distribution
    }

    public static func defaultService(name: String, tags: [String]) -> String {
        for t in tags where t.hasPrefix("service:") { return String(t.dropFirst(8)) }
        if let dot = name.firstIndex(of: ".") { return String(name[..<dot]) }
        return name
    }

    /// The series identity: name, type and sorted tags.
    public var seriesKey: String { name + "|" + type.wire + "|" + tags.joined(separator: ",") }
}
