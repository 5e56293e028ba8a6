import MeshtopModel

/// Turns OTLP cumulative points into deltas, per series, so that a value exported twice counts once and a
/// restart never gives a negative delta. Owned by the collector across requests (pass the same one, `inout`).
///
/// Series identity is decided by the caller (OTLP: metric name and kind, resource attributes, point attributes).
/// Per point, with the series' previous point:
/// - no previous point: the point counts in full when its `start_time_unix_nano` is set and later than
///   `trustStartsAfterNanos` (a series born while we listen: its whole cumulative value is new); otherwise it
///   only sets the baseline (a series we joined midway, or one we forgot: counting it in full would count its
///   past again). This is the OpenTelemetry Collector `cumulativetodelta` processor's "auto" initial-value rule
///   with the collector start as the trust point; the default 0 trusts every start time.
/// - a different start time, or a value (histogram/summary: count) below the previous one: a reset — the point
///   counts in full;
/// - a point older than the previous one: dropped (out of order), the state is kept;
/// - otherwise the difference (0 for a repeated export).
///
/// Memory is bounded: past `maxSeries` series, the least recently updated half is forgotten, and
/// `trustStartsAfterNanos` moves up to the latest start time forgotten, so a forgotten series that comes back
/// only sets its baseline again instead of being counted twice.
public struct CumulativeToDelta: Sendable {
    private enum Value: Sendable {
        case number(Double)
        case distribution(MetricDistribution)
    }

    private struct Entry: Sendable {
        var start: UInt64
        var time: UInt64
        var value: Value
        var used: UInt64
    }

    private enum Step {
        case full, baseline, drop
        case since(Value)
    }

    public let maxSeries: Int
    public private(set) var trustStartsAfterNanos: UInt64
    private var series: [String: Entry] = [:]
    private var clock: UInt64 = 0

    /// `startedAtNanos`: when the receiver started (Unix ns), or 0 to count the first point of every series that
    /// carries a start time in full.
    public init(maxSeries: Int = 100_000, startedAtNanos: UInt64 = 0) {
        self.maxSeries = Swift.max(1, maxSeries)
        trustStartsAfterNanos = startedAtNanos
    }

    /// Series currently remembered.
    public var seriesCount: Int { series.count }

    /// The delta of a monotonic cumulative sum; nil when the point only sets the baseline or is out of order.
    mutating func delta(series key: String, start: UInt64, time: UInt64, value: Double) -> Double? {
        let s = step(key, start: start, time: time, value: .number(value)) {
            if case .number(let p) = $0 { return value < p }
            return true
        }
        switch s {
        case .full: return value
        case .baseline, .drop: return nil
        case .since(.number(let p)): return value - p
        case .since(.distribution): return value
        }
    }

    /// The delta of a cumulative histogram or summary (see `MetricDistribution.subtracting`).
    mutating func delta(series key: String, start: UInt64, time: UInt64, distribution d: MetricDistribution)
        -> MetricDistribution?
    {
        let s = step(key, start: start, time: time, value: .distribution(d)) {
            if case .distribution(let p) = $0 { return d.count < p.count }
            return true
        }
        switch s {
        case .full: return d
        case .baseline, .drop: return nil
        case .since(.distribution(let p)): return d.subtracting(p)
        case .since(.number): return d
        }
    }

    private mutating func step(_ key: String, start: UInt64, time: UInt64, value: Value, isReset: (Value) -> Bool)
        -> Step
    {
        clock += 1
        if let e = series[key] {
            if time != 0, e.time != 0, time < e.time {
                series[key]?.used = clock
                return .drop
            }
            series[key] = Entry(start: start, time: time, value: value, used: clock)
            return (start != 0 && start != e.start) || isReset(e.value) ? .full : .since(e.value)
        }
        if series.count >= maxSeries { evictOldestHalf() }
        series[key] = Entry(start: start, time: time, value: value, used: clock)
        return start != 0 && start > trustStartsAfterNanos ? .full : .baseline
    }

    private mutating func evictOldestHalf() {
        let victims = series.sorted { $0.value.used < $1.value.used }.prefix(Swift.max(1, series.count / 2))
        for (k, e) in victims {
            trustStartsAfterNanos = Swift.max(trustStartsAfterNanos, e.start)
            series.removeValue(forKey: k)
        }
    }
}
