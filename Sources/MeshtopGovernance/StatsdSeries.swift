import MeshtopModel

/// One StatsD series (name, type, tags) between flushes.
final class StatsdSeries {
    let name: String
    let type: MetricType
    let tags: [String]
    let service: String
    var lastSeenMicros: Int64 = 0
    /// `MetricHistory`'s answer to "does a metric rule want this series", with the generation it was given in.
    var historyWanted: (generation: Int, wanted: Bool)?
    private var count: Double = 0
    private var values: [Double] = []
    private var gauge: Double?
    private var members: Set<String> = []
    /// Pre-aggregated points (OTLP histograms and summaries) received this interval.
    private var merged = DistributionMerge()
    /// OTLP exemplars' trace ids this interval: the latest `exemplarsKept`, oldest first.
    private var exemplars: [TraceID] = []
    static let exemplarsKept = 4

    init(_ m: MetricSample) {
        name = m.name
        type = m.type
        tags = m.tags
        service = m.service
    }

    func add(_ m: MetricSample, at now: Int64) {
        lastSeenMicros = now
        for id in m.exemplarTraceIDs where !exemplars.contains(id) {
            if exemplars.count == Self.exemplarsKept { exemplars.removeFirst() }
            exemplars.append(id)
        }
        let rate = m.sampleRate > 0 && m.sampleRate <= 1 ? m.sampleRate : 1
        switch type {
        case .counter:
            count += m.value / rate
        case .gauge:
            // Sample rate is ignored for gauges; a signed value is a delta only when the gauge exists.
            if m.isDelta, let g = gauge { gauge = g + m.value } else { gauge = m.value }
        case .timer, .histogram, .distribution:
            if let d = m.distribution {
                merged.add(d)
            } else {
                values.append(m.value)
                count += 1 / rate
            }
        case .set:
            members.insert(m.setMember ?? JSONNumber.text(m.value))
        }
    }

    /// The rollup for the interval just ended; resets per-interval state (gauges persist).
    func flush(timeMicros: Int64, intervalMicros: Int64) -> MetricRollup {
        var r = MetricRollup(
            timeMicros: timeMicros, intervalMicros: intervalMicros, name: name, type: type, tags: tags,
            service: service)
        r.exemplarTraceIDs = exemplars
        exemplars.removeAll()
        let seconds = Double(intervalMicros) / 1_000_000
        switch type {
        case .counter:
            r.count = count
            r.rate = count / seconds
        case .gauge:
            r.last = gauge
        case .timer, .histogram, .distribution:
            if merged.isEmpty {
                r.count = count
                if !values.isEmpty { Self.fillTimer(&r, values: values) }
            } else {
                merged.add(values: values, count: count)
                merged.fill(&r)
                merged = DistributionMerge()
            }
            r.rate = (r.count ?? 0) / seconds
        case .set:
            r.unique = members.count
            r.count = Double(members.count)
        }
        count = 0
        values.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        return r
    }

    /// statsd `process_metrics.js`: sorted values; mean and population std over all; `median` is the middle value
    /// (the mean of the two middle ones for an even count); `upper_p` is the largest of the lowest
    /// round(p / 100 × count) values (JavaScript `Math.round`, halves up), absent when that is 0, and the only
    /// value when count is 1.
    static func fillTimer(_ r: inout MetricRollup, values unsorted: [Double]) {
        let v = unsorted.sorted()
        let n = v.count
        let sum = v.reduce(0, +)
        let mean = sum / Double(n)
        var sq = 0.0
        for x in v { sq += (x - mean) * (x - mean) }
        r.sum = sum
        r.mean = mean
        r.min = v[0]
        r.max = v[n - 1]
        r.std = (sq / Double(n)).squareRoot()
        let mid = n / 2
        r.p50 = n % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
        r.p90 = upper(v, 90)
        r.p95 = upper(v, 95)
        r.p99 = upper(v, 99)
    }

    static func upper(_ sorted: [Double], _ p: Double) -> Double? {
        let n = sorted.count
        if n == 1 { return sorted[0] }
        let k = Int((p / 100 * Double(n) + 0.5).rounded(.down))
        return k == 0 ? nil : sorted[k - 1]
    }

    /// A `|T` sample as its own rollup, unaggregated.
    static func point(_ m: MetricSample, at t: Int64) -> MetricRollup {
        var r = MetricRollup(
            timeMicros: t, intervalMicros: 0, name: m.name, type: m.type, tags: m.tags, service: m.service)
        let rate = m.sampleRate > 0 && m.sampleRate <= 1 ? m.sampleRate : 1
        switch m.type {
        case .counter:
            r.count = m.value / rate
        case .gauge:
            r.last = m.value
        case .timer, .histogram, .distribution:
            if let d = m.distribution {
                var merged = DistributionMerge()
                merged.add(d)
                merged.fill(&r)
                return r
            }
            r.count = 1 / rate
            r.sum = m.value
            r.mean = m.value
            r.min = m.value
            r.max = m.value
            r.p50 = m.value
            r.last = m.value
        case .set:
            r.unique = 1
            r.count = 1
        }
        return r
    }
}

enum JSONNumber {
    static func text(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
}
