import MeshtopModel

/// The pre-aggregated distributions (OTLP histogram and summary points) one series received in a flush interval,
/// merged: count, sum, min and max exactly, percentiles estimated from the buckets.
///
/// Every point becomes weighted value ranges: a histogram bucket `(lower, upper]` with its count (the outer
/// buckets closed by the point's min/max, which also clamp the others); a summary's mass between consecutive
/// quantiles (`count × (q₂ − q₁)` spread over `(v₁, v₂]`, the mass below the first and above the last quantile at
/// those values); a raw StatsD value of a mixed series a range of width 0. A percentile is then found as
/// Prometheus' `histogram_quantile` does: the range holding rank `q × total`, linearly interpolated within it.
/// Ranges with the same bounds are added together, so a series whose points share a bucket layout keeps one
/// entry per bucket whatever the number of points; past `maxRanges` distinct ranges, new ones only count toward
/// count/sum/min/max (bounded memory against hostile layouts).
struct DistributionMerge {
    private struct Range: Hashable {
        var lower: Double
        var upper: Double
    }

    static let maxRanges = 4096
    private var ranges: [Range: Double] = [:]
    private(set) var count: Double = 0
    /// nil as soon as one non-empty point did not carry its sum.
    private(set) var sum: Double? = 0
    private(set) var min: Double?
    private(set) var max: Double?

    var isEmpty: Bool { count == 0 && ranges.isEmpty }

    mutating func add(_ d: MetricDistribution) {
        guard d.count > 0 else { return }
        count += d.count
        if let s = d.sum, let total = sum { sum = total + s } else { sum = nil }
        let (lo, hi) = Self.extremes(d)
        if let lo { min = Swift.min(min ?? lo, lo) }
        if let hi { max = Swift.max(max ?? hi, hi) }
        if !d.buckets.isEmpty {
            for b in d.buckets where b.count > 0 { addRange(clamp(b.lower, b.upper, lo, hi), b.count) }
        } else {
            addQuantiles(d.quantiles, count: d.count)
        }
    }

    /// Raw values (a StatsD timer's samples in a series that also received pre-aggregated points).
    mutating func add(values: [Double], count weight: Double) {
        guard !values.isEmpty else { return }
        count += weight
        let each = weight / Double(values.count)
        for v in values {
            if let total = sum { sum = total + v }
            min = Swift.min(min ?? v, v)
            max = Swift.max(max ?? v, v)
            addRange(Range(lower: v, upper: v), each)
        }
    }

    /// The value at quantile `q` (0...1), nil when nothing was placed.
    func quantile(_ q: Double) -> Double? {
        let sorted = ranges.filter { $0.value > 0 }.sorted {
            ($0.key.upper, $0.key.lower) < ($1.key.upper, $1.key.lower)
        }
        let total = sorted.reduce(0) { $0 + $1.value }
        guard total > 0 else { return nil }
        let rank = q * total
        var cumulative = 0.0
        for (r, c) in sorted {
            cumulative += c
            if cumulative >= rank {
                return r.lower + (r.upper - r.lower) * Swift.max(0, rank - (cumulative - c)) / c
            }
        }
        return sorted.last?.key.upper
    }

    /// count, sum, mean, min, max and p50/p90/p95/p99 into `r` (only `count` when the interval had no values).
    func fill(_ r: inout MetricRollup) {
        r.count = count
        guard count > 0 else { return }
        r.sum = sum
        r.mean = sum.map { $0 / count }
        r.min = min
        r.max = max
        r.p50 = quantile(0.50)
        r.p90 = quantile(0.90)
        r.p95 = quantile(0.95)
        r.p99 = quantile(0.99)
    }

    private mutating func addRange(_ r: Range?, _ c: Double) {
        guard let r else { return }
        if ranges[r] == nil, ranges.count >= Self.maxRanges { return }
        ranges[r, default: 0] += c
    }

    /// A bucket closed and clamped by the point's extremes; nil when it cannot be placed (both bounds infinite).
    private func clamp(_ lower: Double, _ upper: Double, _ lo: Double?, _ hi: Double?) -> Range? {
        var l = lower
        var u = upper
        if let lo { l = Swift.max(l, lo) }
        if let hi { u = Swift.min(u, hi) }
        if !l.isFinite { l = u }
        if !u.isFinite { u = l }
        guard l.isFinite, u.isFinite else { return nil }
        return Range(lower: Swift.min(l, u), upper: u)
    }

    private mutating func addQuantiles(_ qs: [MetricDistribution.Quantile], count: Double) {
        guard let first = qs.first, let last = qs.last else { return }
        addRange(Range(lower: first.value, upper: first.value), count * first.quantile)
        for (a, b) in zip(qs, qs.dropFirst()) {
            addRange(Range(lower: Swift.min(a.value, b.value), upper: b.value), count * (b.quantile - a.quantile))
        }
        addRange(Range(lower: last.value, upper: last.value), count * (1 - last.quantile))
    }

    /// The point's min and max: as sent, else a summary's 0 and 1 quantiles, else the outer non-empty buckets'
    /// finite bounds.
    private static func extremes(_ d: MetricDistribution) -> (Double?, Double?) {
        var lo = d.min
        var hi = d.max
        if !d.quantiles.isEmpty {
            if lo == nil, let q = d.quantiles.first, q.quantile == 0 { lo = q.value }
            if hi == nil, let q = d.quantiles.last, q.quantile == 1 { hi = q.value }
        }
        let filled = d.buckets.filter { $0.count > 0 }
        if lo == nil, let b = filled.first { lo = b.lower.isFinite ? b.lower : (b.upper.isFinite ? b.upper : nil) }
        if hi == nil, let b = filled.last { hi = b.upper.isFinite ? b.upper : (b.lower.isFinite ? b.lower : nil) }
        return (lo, hi)
    }
}
